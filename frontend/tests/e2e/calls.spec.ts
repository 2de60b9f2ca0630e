/** Call logs and a call's detail, on calls reported the way a worker reports them (internal
 * endpoints, priced by the API when they end): list, filter, search, open one and read back its
 * transcript, tool calls (redacted), latency, cost and webhook deliveries; the 404 page for a
 * call that does not exist. In a workspace of its own, so the counts are exact. */

import { expect, test } from "@playwright/test";

import { reportCall, workspaceWithAgents } from "./support/calls";
import { adminContext } from "./support/contexts";

const WS = "calls-e2e";
let bookingCall = "";

test.beforeAll(async ({ browser }) => {
  const context = await adminContext(browser);
  await workspaceWithAgents(context, WS, ["concierge", "night-line"]);
  await context.close();
  bookingCall = await reportCall({
    workspace: WS,
    agent: "concierge",
    direction: "Inbound",
    caller: "+14155550100",
    callee: "+14155559000",
    startedSecondsAgo: 3600,
    seconds: 185,
    transcript: [
      ["agent", "Hello, Acme, how can I help?"],
      ["user", "I'd like to book a table for two tonight."],
      ["agent", "Booked for seven o'clock."],
      ["user", "Thanks, bye."],
    ],
    turns: [
      [742, 180, 310, 95],
      [1210, 220, 640, 160],
    ],
    toolCalls: [{ name: "book_table", arguments: { party: 2, apiKey: "sk-live-abcdef1234567890" }, result: '{"ok": true, "time": "19:00"}', durationMs: 212 }],
    usage: [
      { provider: "openai", model: "gpt-4o-mini", metric: "llm_input_tokens", quantity: 5210 },
      { provider: "openai", model: "gpt-4o-mini", metric: "llm_output_tokens", quantity: 320 },
      { provider: "deepgram", model: "nova-3", metric: "stt_audio_ms", quantity: 90_000 },
      { provider: "cartesia", model: "sonic-2", metric: "tts_characters", quantity: 840 },
    ],
  });
  await reportCall({
    workspace: WS,
    agent: "night-line",
    startedSecondsAgo: 7200,
    seconds: 40,
    reason: "AgentEnded",
    transcript: [
      ["user", "What are your opening hours?"],
      ["agent", "We open at nine."],
    ],
    turns: [[640, 150, 300, 90]],
  });
  await reportCall({ workspace: WS, agent: "concierge", direction: "Outbound", caller: "+14155559000", callee: "+14155550123", startedSecondsAgo: 1800, seconds: 12, reason: "Error" });
});

test("list, filter and search the call log, then read a call's detail", async ({ page }) => {
  test.slow();
  await page.goto(`/w/${WS}/calls`);
  const calls = page.getByRole("list", { name: "Calls" });
  await expect(calls.getByRole("listitem")).toHaveCount(3);
  await expect(page.getByText("3 calls")).toBeVisible();
  // Newest first: the outbound call of 30 minutes ago, then the booking, then the night line.
  await expect(calls.getByRole("listitem").first()).toContainText("Outbound");
  await expect(calls.getByRole("listitem").nth(1)).toContainText("+14155550100 → +14155559000");
  await expect(calls.getByRole("listitem").nth(1)).toContainText("3:05");

  // Words said in the call (PostgreSQL full-text search through the API).
  await page.getByLabel("Search transcripts").fill("book table");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/[?&]q=book\+table/);
  await expect(calls.getByRole("listitem")).toHaveCount(1);
  await expect(calls.getByRole("listitem")).toContainText("concierge");

  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect(calls.getByRole("listitem")).toHaveCount(3);
  await page.getByLabel("Agent").selectOption("night-line");
  await expect(calls.getByRole("listitem")).toHaveCount(1);
  await expect(calls.getByRole("listitem")).toContainText("AgentEnded");
  await page.getByLabel("Agent").selectOption("");
  await page.getByLabel("End reason").selectOption("Error");
  await expect(calls.getByRole("listitem")).toHaveCount(1);
  await page.getByLabel("Status").selectOption("Failed");
  await expect(page.getByText("No calls match these filters")).toBeVisible();
  await page.getByRole("button", { name: "Clear filters" }).click();
  // Clearing rewrites the URL and the form follows it: type only once it has.
  await expect(page).not.toHaveURL(/status=/);
  await expect(page.getByText("No calls match these filters")).toBeHidden();

  // A number that is not E.164 is refused before it reaches the API; a valid one filters.
  await page.getByLabel("Phone number").fill("4155550100");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByText("Use the E.164 form, e.g. +14155550100.")).toBeVisible();
  await page.getByLabel("Phone number").fill("+1 415 555 0100");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(calls.getByRole("listitem")).toHaveCount(1);

  // The filters live in the URL: a reload keeps them.
  await page.reload();
  await expect(page.getByLabel("Phone number")).toHaveValue("+14155550100");
  await expect(calls.getByRole("listitem")).toHaveCount(1);

  // Keyboard: tab to the row and open it.
  await calls.getByRole("link").first().focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/w/${WS}/calls/${bookingCall}$`));
  await expect(page.getByRole("heading", { name: "Call to concierge" })).toBeVisible();

  const transcript = page.getByRole("list", { name: "Transcript" });
  await expect(transcript.getByRole("listitem")).toHaveCount(4);
  await expect(transcript.getByRole("listitem").nth(1)).toContainText("Caller");
  await expect(transcript.getByRole("listitem").nth(1)).toContainText("I'd like to book a table for two tonight.");

  const tools = page.getByRole("list", { name: "Tool calls" });
  await expect(tools).toContainText("book_table");
  await expect(tools).toContainText("****7890"); // the API redacted the key
  await expect(page.getByText("sk-live-abcdef1234567890")).toHaveCount(0);
  await expect(tools).toContainText('"time": "19:00"');

  await expect(page.getByText(/median 742 ms, slowest 1\.2 s \(turn 1\)/)).toBeVisible();
  await expect(page.locator("[data-chart=latency] svg").first()).toBeVisible(); // the chart loaded
  await page.getByText("Latency table").click();
  await expect(page.getByRole("row", { name: /^1 220 ms 640 ms 160 ms 1\.2 s$/ })).toBeVisible();

  // Priced by the API at the end: the catalogue's lines, and a total in dollars.
  const cost = page.getByRole("region", { name: "Cost" });
  await expect(cost).toContainText(/Priced with catalogue \S+, in USD\./);
  await expect(cost.getByRole("row", { name: /LLM input tokens/ })).toContainText("5,210");
  await expect(cost.getByRole("row", { name: /Inbound phone time/ })).toContainText("3:05");
  await expect(page.getByTestId("cost-total")).toHaveText(/^\$\d+\.\d{2,6}$/);

  await expect(page.getByText("No webhook deliveries for this call")).toBeVisible();
});

test("a call that does not exist is the workspace's 404 page, naming it, with a way back", async ({ page }) => {
  const missing = "00000000-0000-4000-8000-000000000000";
  const response = await page.goto(`/w/${WS}/calls/${missing}`);
  expect(response?.status()).toBe(404);
  const notFound = page.getByTestId("not-found");
  await expect(notFound).toContainText(missing);
  await expect(notFound.getByRole("link", { name: "Call logs", exact: true })).toBeVisible();
});

test("analytics: totals, over time and by agent, for one agent", async ({ page }) => {
  await page.goto(`/w/${WS}/analytics`);
  await expect(page.getByTestId("total-calls")).toHaveText("3");
  // 185 + 40 + 12 seconds is 3.95 minutes: rounded to 4.
  await expect(page.getByTestId("total-minutes")).toHaveText("4");
  await expect(page.getByTestId("total-cost")).toHaveText(/^\$\d+\.\d{2,6}$/);
  const byAgent = page.getByRole("table", { name: "Calls by agent" });
  await expect(byAgent.getByRole("row", { name: /^concierge 2 / })).toBeVisible();
  await expect(byAgent.getByRole("row", { name: /^night-line 1 / })).toBeVisible();
  await expect(page.getByRole("region", { name: "How calls ended" })).toContainText("CallerHungUp");
  // Percentiles come from the rollup's histograms, within 5 % of the exact value (the API says
  // so as percentileRelativeError; an approximate one is shown after "≈"): the median
  // end-to-end turn is 742 ms, the p95 about 1.2 s.
  const endToEnd = page.getByRole("region", { name: "Latency per turn" }).getByRole("row", { name: /^End to end / });
  await expect(endToEnd).toHaveText(/End to end\s*≈?\d+ ms\s*≈?1\.\d s/);
  const [median, p95] = ((await endToEnd.textContent()) ?? "").match(/(\d+) ms\s*≈?(1\.\d) s/)?.slice(1).map(Number) ?? [];
  expect(Math.abs(median - 742) / 742).toBeLessThanOrEqual(0.05);
  expect(Math.abs(p95 - 1.2)).toBeLessThanOrEqual(0.1);
  await expect(page.locator("[data-chart=calls-per-day] svg").first()).toBeVisible(); // the chart drew

  await page.getByLabel("Agent", { exact: true }).selectOption("night-line");
  await expect(page).toHaveURL(/agent=night-line/);
  await expect(page.getByTestId("total-calls")).toHaveText("1");
  await page.getByLabel("Range").selectOption("7");
  await expect(page.getByTestId("total-calls")).toHaveText("1");
});

test("analytics and the call log say when there is nothing yet", async ({ browser }) => {
  const context = await adminContext(browser);
  await workspaceWithAgents(context, "calls-empty", []);
  const page = await context.newPage();
  await page.goto("/w/calls-empty/calls");
  await expect(page.getByText("No calls yet")).toBeVisible();
  await page.goto("/w/calls-empty/analytics");
  await expect(page.getByText("No calls in this range")).toBeVisible();
  await context.close();
});
