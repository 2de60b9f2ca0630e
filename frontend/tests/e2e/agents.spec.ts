/** Sign-up to a created agent (the setup project signed up): create a standard agent from a
 * template with every kind of tool, an analysis field and a webhook; see its Ready reason;
 * edit it while someone else changed it (409 shown, reload, save). */

import { expect, test } from "@playwright/test";

import { csrfToken, reportReady, updateAgentAsSomeoneElse } from "./support/api";
import { ADMIN } from "./support/env";

const WS = ADMIN.workspace;

test("create a standard agent with tools, analysis and a webhook", async ({ page, request }) => {
  test.slow(); // a long form on a small shared machine
  await page.goto(`/w/${WS}/agents`);
  await page.getByRole("link", { name: "New agent" }).click();
  await page.getByRole("button", { name: /Receptionist/ }).click();

  await page.getByLabel("Name", { exact: true }).fill("front-desk");
  await page.getByLabel("Display name").fill("Front desk");
  await page.getByLabel("Instructions").fill("You answer calls for Acme Dental. Be brief.");
  await page.getByLabel("Greeting").fill("Hello, Acme Dental!");
  await page.locator("#agent-tts-provider").selectOption("Cartesia");
  await page.locator("#agent-tts-model").fill("sonic-2");
  await page.locator("#agent-tts-voice").fill("a0e99841");
  await page.locator("#agent-llm-temperature").fill("0.4");

  // An HTTP tool with two arguments, one required.
  await page.getByRole("button", { name: "HTTP request" }).click();
  const http = page.getByTestId("tool").nth(0);
  await http.getByLabel("Function name").fill("book_slot");
  await http.getByLabel("When to use it").fill("Book an appointment slot");
  await http.getByLabel("URL").fill("https://crm.example.com/book");
  await http.getByRole("button", { name: "Add argument" }).click();
  await http.getByLabel("Argument 1 name").fill("day");
  await http.getByLabel("Argument 1 description").fill("ISO date");
  await http.getByTestId("argument-row").first().getByLabel("Required").check();
  await http.getByRole("button", { name: "Add argument" }).click();
  await http.getByLabel("Argument 2 name").fill("day");
  await expect(http.getByText('"day" is used twice')).toHaveCount(0); // shown on submit, not while typing

  // A transfer tool with a bad number first, then an end-call tool.
  await page.getByRole("button", { name: "Transfer the call" }).click();
  const transfer = page.getByTestId("tool").nth(1);
  await transfer.getByLabel("Numbers it may transfer to").fill("+14155550100\n555-1234");
  await page.getByRole("button", { name: "End the call" }).click();

  await page.getByRole("button", { name: "Add a value" }).click();
  await page.locator("#agent-analysis-fields-0-name").fill("intent");
  await page.locator("#agent-analysis-fields-0-description").fill("Why the caller called");
  await page.getByLabel("Analyse calls").check();

  await page.getByRole("button", { name: "Add webhook" }).click();
  await page.locator("#agent-webhooks-0-url").fill("https://hooks.example.com/arkenos");
  await page.locator("#agent-webhooks-0-secretName").fill("hook-secret");

  await page.getByRole("button", { name: "Create agent" }).click();
  await expect(page.getByText("Some settings need fixing")).toBeVisible();
  await expect(http.getByText('Argument 2: "day" is used twice.')).toBeVisible();
  await expect(transfer.getByText("Not in E.164 form (+ country code and number): 555-1234")).toBeVisible();

  await http.getByLabel("Argument 2 name").fill("party_size");
  await http.getByLabel("Argument 2 type").selectOption("integer");
  await transfer.getByLabel("Numbers it may transfer to").fill("+14155550100");
  await page.getByRole("button", { name: "Create agent" }).click();

  await expect(page).toHaveURL(new RegExp(`/w/${WS}/agents/front-desk$`));
  await expect(page.getByRole("heading", { name: "Front desk" })).toBeVisible();
  await expect(page.getByTestId("ready-badge")).toHaveText("Pending · NotObserved");

  // What the API stored is what was typed.
  const stored = await (await page.context().request.get(`/api/v1/workspaces/${WS}/agents/front-desk`)).json();
  expect(stored.spec.tts).toMatchObject({ provider: "Cartesia", model: "sonic-2", voice: "a0e99841" });
  expect(stored.spec.llm.temperature).toBe("0.4");
  const tools = Object.fromEntries(stored.spec.tools.map((t: { name: string }) => [t.name, t]));
  expect(tools.book_slot.http.parameters).toEqual({
    type: "object",
    properties: { day: { type: "string", description: "ISO date" }, party_size: { type: "integer" } },
    required: ["day"],
  });
  expect(tools.transfer_call.transfer.allowedNumbers).toEqual(["+14155550100"]);
  expect(tools.end_call.type).toBe("EndCall");
  expect(stored.spec.analysis).toMatchObject({ enabled: true, fields: [{ name: "intent", type: "String", description: "Why the caller called" }] });
  expect(stored.spec.webhooks).toEqual([{ name: "hook-1", url: "https://hooks.example.com/arkenos", events: ["CallEnded"], secretRef: { name: "hook-secret" } }]);

  // The list shows the operator's Ready condition and its reason.
  await reportReady(request, WS, "front-desk", { status: "False", reason: "ProviderKeyMissing", message: "set the Cartesia key in Provider keys" });
  await page.getByRole("link", { name: "Agents" }).click();
  const row = page.getByRole("list", { name: "Agents" }).getByRole("listitem").filter({ hasText: "front-desk" });
  await expect(row.getByTestId("ready-badge")).toHaveText("Not ready · ProviderKeyMissing");
  await expect(row).toContainText("set the Cartesia key in Provider keys");
});

test("the API refuses a duplicate name and the page says why", async ({ page, context }) => {
  const taken = await context.request.post(`/api/v1/workspaces/${WS}/agents`, {
    headers: { "X-CSRF-Token": await csrfToken(context) },
    data: { name: "taken", spec: {} },
  });
  expect(taken.status(), await taken.text()).toBe(201);
  await page.goto(`/w/${WS}/agents/new`);
  await page.getByRole("button", { name: /Blank/ }).click();
  await page.getByLabel("Name", { exact: true }).fill("taken");
  await page.getByRole("button", { name: "Create agent" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "agent taken already exists" })).toBeVisible();
  await expect(page).toHaveURL(/\/agents\/new$/);
});

test("saving over someone else's change shows the 409, and reloading lets the save through", async ({ page, context }) => {
  test.slow();
  await page.goto(`/w/${WS}/agents/new`);
  await page.getByRole("button", { name: /Blank/ }).click();
  await page.getByLabel("Name", { exact: true }).fill("night-line");
  await page.getByRole("button", { name: "Create agent" }).click();
  await expect(page).toHaveURL(/\/agents\/night-line$/);
  await expect(page.getByLabel("Instructions")).toBeVisible();

  // Someone else saves a new greeting after this page loaded the agent.
  await updateAgentAsSomeoneElse(context, WS, "night-line", (spec) => {
    spec.greeting = { mode: "AgentFirst", text: "Changed elsewhere" };
  });

  await page.getByLabel("Display name").fill("Night line");
  await page.getByRole("button", { name: "Save changes" }).click();
  const stale = page.getByTestId("stale-version");
  await expect(stale).toContainText("Someone else changed this agent");
  await expect(stale).toContainText(/agent night-line changed since resourceVersion \d+/);

  await stale.getByRole("button", { name: "Reload the latest version" }).click();
  await expect(page.getByLabel("Greeting")).toHaveValue("Changed elsewhere");
  await page.getByLabel("Display name").fill("Night line");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Night line" })).toBeVisible();
});
