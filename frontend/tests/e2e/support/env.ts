/** What scripts/run-tests.mjs tells the browser tests about the servers it started. */

export const ADMIN = { email: "ada@example.com", password: "correct horse battery staple", workspace: "acme" };
export const PASSWORD = "another long enough password";
export const AUTH_STATE = "artifacts/.auth/admin.json";

export const kubernetesUrl = process.env.E2E_KUBERNETES_URL ?? "";
export const validKeys: Record<string, string> = JSON.parse(process.env.E2E_VALID_KEYS ?? "{}");

export const baseURL = process.env.E2E_BASE_URL ?? "http://127.0.0.1:3000";
