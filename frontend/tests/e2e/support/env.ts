/** What scripts/run-tests.mjs tells the browser tests about the servers it started. */

export const ADMIN = { email: "ada@example.com", password: "correct horse battery staple", workspace: "acme" };
export const PASSWORD = "another long enough password";
export const AUTH_STATE = "artifacts/.auth/admin.json";

export const kubernetesUrl = process.env.E2E_KUBERNETES_URL ?? "";
export const validKeys: Record<string, string> = JSON.parse(process.env.E2E_VALID_KEYS ?? "{}");

export const baseURL = process.env.E2E_BASE_URL ?? "http://127.0.0.1:3000";

/** The API itself (not through the dashboard, which proxies only /api/*) and the shared worker
 * pool's workload token: a test reports calls through the workers' internal endpoints. */
export const apiUrl = process.env.E2E_API_URL ?? "";
export const workloadToken = process.env.E2E_WORKLOAD_TOKEN ?? "";

/** Browser calls, when the runner started livekit-server, the model double and the standard
 * worker (tests/dashboard/calls.py): what makes a callable agent and what the call should carry. */
export interface CallServers {
  url: string;
  agentSpec: Record<string, unknown>;
  openaiKey: string;
  dispatchName: string;
  greeting: string;
  callerSays: string;
  agentAnswers: string;
  /** The caller's sentence between silences, for Chromium's fake microphone. */
  speechWav: string;
}

export const calls: CallServers | null = process.env.E2E_CALLS ? JSON.parse(process.env.E2E_CALLS) : null;
