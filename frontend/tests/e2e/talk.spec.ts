/** Talking to an agent in the browser, over the real livekit-server with the standard worker
 * and the model double (tests/dashboard/calls.py): Chromium's fake microphone plays the caller's
 * sentence from a WAV file; the page shows the agent's greeting, the caller's words as the STT
 * heard them and the agent's answer, the agent's state and the reply latency; hanging up ends the
 * call, and the API's call log has it as the caller's hang-up. An agent that is not Ready gets
 * the API's 409 message; a refused microphone gets a message and places no call. */

import { expect, test, type Page } from "@playwright/test";

import { csrfToken, reportReady } from "./support/api";
import { withFakeMicrophone } from "./support/browser";
import { adminContext } from "./support/contexts";
import { AUTH_STATE, baseURL, calls } from "./support/env";
import { expectAccessible, expectNoHorizontalScroll, saveScreenshot, screenshots } from "./support/pages";

const WS = "talk";

test.use({ launchOptions: withFakeMicrophone(calls?.speechWav ?? "/dev/null"), permissions: ["microphone"] });

async function openTalkPage(page: Page, agent: string) {
  await page.goto(`/w/${WS}/agents/${agent}/talk`);
  await expect(page.getByRole("heading", { name: `Talk to ${agent}` })).toBeVisible();
}

test.describe("calls through livekit-server", () => {
  test.skip(!calls, "the runner started no LiveKit for this run (E2E_LIVEKIT=0)");

  test.beforeAll(async ({ browser }) => {
    if (!calls) return;
    const context = await adminContext(browser);
    const headers = { "X-CSRF-Token": await csrfToken(context) };
    const created = await context.request.post("/api/v1/workspaces", { headers, data: { namespace: WS, displayName: "Talk" } });
    expect([201, 409], await created.text()).toContain(created.status());
    const key = await context.request.put(`/api/v1/workspaces/${WS}/keys/openai`, { headers, data: { value: calls.openaiKey } });
    expect(key.status(), await key.text()).toBe(200);
    for (const name of ["support", "draft"]) {
      const agent = await context.request.post(`/api/v1/workspaces/${WS}/agents`, { headers, data: { name, spec: { ...calls.agentSpec, displayName: name } } });
      expect([201, 409], await agent.text()).toContain(agent.status());
    }
    // No operator runs here: report what it would, so the API dispatches calls to the standard pool.
    await reportReady(context.request, WS, "support", { status: "True", reason: "Ready", message: "served by the standard worker pool" }, { dispatchName: calls.dispatchName });
    await reportReady(context.request, WS, "draft", { status: "False", reason: "ProviderKeyMissing", message: "set the Cartesia key in Provider keys" });
    await context.close();
  });

  test("talks to an agent: greeting, the caller's words, the answer, state, latency, hang-up", async ({ page }) => {
    test.setTimeout(180_000);
    await openTalkPage(page, "support");
    await page.getByRole("button", { name: "Start call" }).click();

    const transcript = page.getByRole("log", { name: "Transcript" });
    await expect(transcript).toContainText(calls!.greeting, { timeout: 60_000 });
    await expect(page.getByTestId("agent-state")).toHaveText(/Listening|Thinking|Speaking/);
    // The fake microphone speaks after six seconds of silence, and again every fifteen.
    const said = transcript.getByRole("listitem").filter({ hasText: calls!.callerSays });
    await expect(said.first()).toContainText("You", { timeout: 60_000 });
    await expect(transcript.getByRole("listitem").filter({ hasText: calls!.agentAnswers }).first()).toContainText("Agent", { timeout: 30_000 });

    // The first reply's latency, from the end of the caller's speech to the agent's audio.
    const turn = page.getByRole("list", { name: "Latency per turn" }).getByRole("listitem").first();
    await expect(turn).toHaveText(/^Turn 1: \d+ ms$/, { timeout: 30_000 });
    const ms = Number((await turn.textContent())!.match(/(\d+) ms/)![1]);
    expect(ms).toBeGreaterThan(0);
    expect(ms).toBeLessThan(20_000);

    // The live call's view passes axe in both themes and fits 375 px.
    await expectAccessible(page, "talk, in a call (light)");
    await screenshots(page, "talk-live");
    await page.setViewportSize({ width: 375, height: 812 });
    await expectNoHorizontalScroll(page, "talk, in a call");
    await page.emulateMedia({ colorScheme: "dark" });
    await expectAccessible(page, "talk, in a call (dark)");
    await saveScreenshot(page, "talk-live-375-dark");
    await page.emulateMedia({ colorScheme: "light" });
    await page.setViewportSize({ width: 1280, height: 900 });

    // Hang up by keyboard: the call ends here, and the worker reports the caller's hang-up.
    await page.getByRole("button", { name: "Hang up" }).focus();
    await page.keyboard.press("Enter");
    await expect(page.getByText("Call ended: you hung up.")).toBeVisible();
    const logLink = page.getByRole("link", { name: "Open this call in the call log" });
    const sessionId = (await logLink.getAttribute("href"))!.split("/").pop()!;
    await expect
      .poll(
        async () => {
          const response = await page.request.get(`/api/v1/workspaces/${WS}/sessions/${sessionId}`);
          const session = await response.json();
          return [session.direction, session.endReason, session.transcript?.some((s: { role: string; text: string }) => s.role === "user" && s.text.includes(calls!.callerSays))];
        },
        { timeout: 30_000 },
      )
      .toEqual(["Web", "CallerHungUp", true]);
  });

  test("an agent that is not Ready: the API's refusal reaches the person", async ({ page }) => {
    await openTalkPage(page, "draft");
    await page.getByRole("button", { name: "Start call" }).click();
    await expect(page.getByRole("region", { name: "Call" }).getByRole("alert")).toContainText("agent draft is not Ready: set the Cartesia key in Provider keys");
    await expect(page.getByRole("button", { name: "Start call" })).toBeEnabled();
  });
});

test("a refused microphone: a message that says what to do, and no call placed", async ({ playwright }) => {
  const browser = await playwright.chromium.launch(withFakeMicrophone("/dev/null", "deny"));
  try {
    const context = await browser.newContext({ baseURL, storageState: AUTH_STATE });
    const headers = { "X-CSRF-Token": await csrfToken(context) };
    const created = await context.request.post("/api/v1/workspaces", { headers, data: { namespace: WS, displayName: "Talk" } });
    expect([201, 409], await created.text()).toContain(created.status());
    const agent = await context.request.post(`/api/v1/workspaces/${WS}/agents`, { headers, data: { name: "mic-check", spec: { instructions: "Say hello." } } });
    expect([201, 409], await agent.text()).toContain(agent.status());
    const page = await context.newPage();
    const placed: string[] = [];
    page.on("request", (request) => {
      if (request.method() === "POST" && request.url().includes("/calls")) placed.push(request.url());
    });
    await openTalkPage(page, "mic-check");
    await page.getByRole("button", { name: "Start call" }).click();
    await expect(page.getByTestId("microphone-refused")).toContainText("Microphone access was refused");
    expect(placed).toEqual([]);
  } finally {
    await browser.close();
  }
});
