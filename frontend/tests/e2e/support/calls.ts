/** Calls made the way a worker reports them: registered, events posted in a batch, ended,
 * through the API's internal endpoints with the shared pool's workload token (the emulated
 * cluster answers the TokenReview). The API prices the call when it ends. */

import { expect, request, type BrowserContext } from "@playwright/test";

import { csrfToken } from "./api";
import { apiUrl, workloadToken } from "./env";

export interface ReportedCall {
  workspace: string;
  agent: string;
  direction?: "Web" | "Inbound" | "Outbound";
  caller?: string;
  callee?: string;
  /** When the call started, relative to now. */
  startedSecondsAgo: number;
  seconds: number;
  reason?: "CallerHungUp" | "AgentEnded" | "Transferred" | "Timeout" | "Error" | "Drained" | "Lost";
  /** [role, text] in order, one every 4 seconds from the start. */
  transcript?: [("user" | "agent"), string][];
  /** End-to-end, STT, LLM and TTS milliseconds of each agent turn. */
  turns?: [number, number, number, number][];
  toolCalls?: { name: string; arguments: Record<string, unknown>; result?: string; error?: string; durationMs: number }[];
  usage?: { provider: string; model: string; metric: string; quantity: number }[];
}

const at = (ms: number) => new Date(ms).toISOString();

/** Report one call as its worker would; returns the session id the API gave it. */
export async function reportCall(call: ReportedCall): Promise<string> {
  expect(apiUrl, "E2E_API_URL (run through scripts/run-tests.mjs)").not.toBe("");
  const worker = await request.newContext({ baseURL: apiUrl, extraHTTPHeaders: { Authorization: `Bearer ${workloadToken}` } });
  const start = Date.now() - call.startedSecondsAgo * 1000;
  const id = crypto.randomUUID().slice(0, 8);
  const registered = await worker.post("/internal/v1/sessions", {
    data: {
      workspace: call.workspace,
      agent: call.agent,
      room: `e2e-${id}`,
      jobId: `AJ_e2e_${id}`,
      direction: call.direction ?? "Web",
      caller: call.caller,
      callee: call.callee,
      dispatchedAt: at(start - 300),
      startedAt: at(start),
    },
  });
  expect(registered.status(), await registered.text()).toBe(201);
  const { sessionId } = await registered.json();

  let seq = 0;
  const transcripts = (call.transcript ?? []).map(([role, text], i) => ({ seq: seq++, role, text, startedAt: at(start + 4000 * i), endedAt: at(start + 4000 * i + 2500) }));
  const turns = (call.turns ?? []).map(([endToEndMs, sttMs, llmMs, ttsMs], turn) => ({ seq: seq++, turn, endToEndMs, sttMs, llmMs, ttsMs, at: at(start + 4000 * (2 * turn + 1)) }));
  const toolCalls = (call.toolCalls ?? []).map((tool, i) => ({ seq: seq++, ...tool, at: at(start + 6000 + 1000 * i) }));
  const usage = (call.usage ?? []).map((u) => ({ seq: seq++, ...u, at: at(start + call.seconds * 1000) }));
  const events = await worker.post(`/internal/v1/sessions/${sessionId}/events`, { data: { transcripts, turns, toolCalls, usage } });
  expect(events.status(), await events.text()).toBe(200);

  const ended = await worker.post(`/internal/v1/sessions/${sessionId}/end`, { data: { endedAt: at(start + call.seconds * 1000), reason: call.reason ?? "CallerHungUp" } });
  expect(ended.status(), await ended.text()).toBe(204);
  await worker.dispose();
  return sessionId;
}

/** A workspace of the test's own (so its call counts are exactly the calls it reported), with
 * the named standard agents. */
export async function workspaceWithAgents(context: BrowserContext, namespace: string, agents: string[]) {
  const headers = { "X-CSRF-Token": await csrfToken(context) };
  const created = await context.request.post("/api/v1/workspaces", { headers, data: { namespace, displayName: `Calls ${namespace}` } });
  expect([201, 409], await created.text()).toContain(created.status());
  for (const name of agents) {
    const agent = await context.request.post(`/api/v1/workspaces/${namespace}/agents`, {
      headers,
      data: { name, spec: { displayName: name, instructions: "Answer the phone for Acme." } },
    });
    expect([201, 409], await agent.text()).toContain(agent.status());
  }
}
