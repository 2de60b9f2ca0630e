/** Calls to the real API from a test, as the logged-in browser (its cookies and CSRF token),
 * and to the emulated Kubernetes API, as the operator would. */

import { expect, type APIRequestContext, type BrowserContext } from "@playwright/test";

import { kubernetesUrl } from "./env";

export async function csrfToken(context: BrowserContext): Promise<string> {
  const cookie = (await context.cookies()).find((c) => c.name === "arkenos_csrf");
  if (!cookie) throw new Error("no arkenos_csrf cookie: is the context logged in?");
  return cookie.value;
}

/** PUT an agent's spec through the API, as another tab or person would. */
export async function updateAgentAsSomeoneElse(context: BrowserContext, workspace: string, name: string, change: (spec: Record<string, unknown>) => void) {
  const request = context.request;
  const current = await request.get(`/api/v1/workspaces/${workspace}/agents/${name}`);
  expect(current.ok()).toBe(true);
  const agent = await current.json();
  change(agent.spec);
  const updated = await request.put(`/api/v1/workspaces/${workspace}/agents/${name}`, {
    headers: { "X-CSRF-Token": await csrfToken(context) },
    data: { resourceVersion: agent.resourceVersion, spec: agent.spec },
  });
  expect(updated.status(), await updated.text()).toBe(200);
}

/** Write a VoiceAgent's Ready condition in the emulated cluster, as the operator does (with any
 * other status fields it reports, such as the dispatchName calls are routed to). */
export async function reportReady(
  request: APIRequestContext,
  workspace: string,
  name: string,
  ready: { status: "True" | "False"; reason: string; message: string },
  otherStatus: Record<string, unknown> = {},
) {
  const url = `${kubernetesUrl}/apis/arkenos.io/v1alpha1/namespaces/${workspace}/voiceagents/${name}`;
  const agent = await (await request.get(url)).json();
  const status = {
    ...otherStatus,
    observedGeneration: agent.metadata.generation,
    conditions: [{ type: "Ready", lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, "Z"), observedGeneration: agent.metadata.generation, ...ready }],
  };
  const patched = await request.patch(`${url}/status`, {
    headers: { "Content-Type": "application/merge-patch+json" },
    data: { status },
  });
  expect(patched.ok(), await patched.text()).toBe(true);
}
