/** Phone numbers against the Twilio double (the platform's account, selling +1 415 555 0101 to
 * 0103): search, buy one with the confirmation, see the line (pending: no operator runs here, so
 * nothing buys it), assign it to another agent, see an outbound call refused with the API's
 * message, release it. */

import { expect, test } from "@playwright/test";

import { csrfToken } from "./support/api";
import { ADMIN, calls } from "./support/env";

const WS = ADMIN.workspace;
const NUMBER = "+14155550101";
const LINE = "line-14155550101";

test.beforeAll(async ({ browser }) => {
  const context = await browser.newContext({ storageState: "artifacts/.auth/admin.json" });
  const headers = { "X-CSRF-Token": await csrfToken(context) };
  for (const name of ["phones-day", "phones-night"]) {
    const created = await context.request.post(`/api/v1/workspaces/${WS}/agents`, {
      headers,
      data: { name, spec: { displayName: name, instructions: "Answer the phone.", tools: [{ name: "end_call", type: "EndCall" }] } },
    });
    expect([201, 409], await created.text()).toContain(created.status());
  }
  await context.close();
});

test("search, buy, assign and release a phone number", async ({ page }) => {
  test.slow(); // several round trips through the emulated cluster on a small machine
  await page.goto(`/w/${WS}/agents`);
  await page.getByRole("link", { name: "Phone numbers" }).click();
  await expect(page.getByRole("heading", { name: "Phone numbers", exact: true })).toBeVisible();

  // The form's own rules first, then a search with nothing in it.
  const search = page.getByRole("form", { name: "Search numbers" });
  await search.getByLabel("Area code").fill("4");
  await search.getByRole("button", { name: "Search" }).click();
  await expect(search.getByText("2 to 5 digits, e.g. 415.")).toBeVisible();
  await search.getByLabel("Area code").fill("212");
  await search.getByRole("button", { name: "Search" }).click();
  await expect(page.getByText("No numbers match")).toBeVisible();

  await search.getByLabel("Area code").fill("415");
  await search.getByRole("button", { name: "Search" }).click();
  const offered = page.getByRole("list", { name: "Available numbers" });
  await expect(offered.getByRole("listitem")).toHaveCount(3);
  await expect(offered.getByText("San Francisco, CA").first()).toBeVisible();

  // Buying asks first; cancelling buys nothing.
  await offered.getByRole("button", { name: `Buy ${NUMBER}` }).click();
  let dialog = page.getByRole("dialog", { name: `Buy ${NUMBER}?` });
  await expect(dialog.getByLabel("Line name")).toHaveValue(LINE);
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId(`line-${LINE}`)).toHaveCount(0);

  await offered.getByRole("button", { name: `Buy ${NUMBER}` }).click();
  dialog = page.getByRole("dialog", { name: `Buy ${NUMBER}?` });
  await dialog.getByLabel("Agent", { exact: true }).selectOption("phones-day");
  await dialog.getByRole("button", { name: "Buy number" }).click();
  await expect(dialog).toHaveCount(0);

  const line = page.getByTestId(`line-${LINE}`);
  await expect(line.getByText(NUMBER, { exact: true })).toBeVisible();
  await expect(line.getByText(/answered by phones-day/)).toBeVisible();
  // No operator buys it here: the badge says Pending (not "Pending · Pending"), the tooltip why.
  await expect(line.getByTestId("ready-badge")).toHaveText("Pending");
  await expect(line.getByTestId("ready-badge")).toHaveAttribute("title", /Waiting for the operator/);

  // Assign it to the other agent: the API says so on the next read.
  await line.getByLabel("Agent", { exact: true }).selectOption("phones-night");
  await line.getByRole("button", { name: "Assign" }).click();
  await expect(line.getByText(/answered by phones-night/)).toBeVisible();
  await expect(line.getByRole("button", { name: "Assign" })).toBeDisabled();

  // An outbound call: a bad destination is caught in the form; a good one gets the API's reason.
  // With livekit-server in the harness the API looks at the line, which no operator made Ready
  // here; without it the API refuses before that.
  await page.getByRole("button", { name: "Call a phone" }).click();
  const call = page.getByRole("dialog", { name: "Call a phone" });
  await call.getByLabel("From", { exact: true }).selectOption(LINE);
  await call.getByLabel("To", { exact: true }).fill("415 555 0123");
  await call.getByRole("button", { name: "Call", exact: true }).click();
  await expect(call.getByText(/An E\.164 number/)).toBeVisible();
  await call.getByLabel("To", { exact: true }).fill("+1 415 555 0123");
  await call.getByRole("button", { name: "Call", exact: true }).click();
  await expect(call.getByRole("alert")).toContainText(calls ? `PhoneNumber ${LINE} is not Ready` : "no LiveKit server configured");
  await call.getByRole("button", { name: "Done" }).click();

  // Release it, after the confirmation.
  await line.getByRole("button", { name: "Release" }).click();
  const release = page.getByRole("dialog", { name: `Release ${NUMBER}?` });
  await release.getByRole("button", { name: "Release number" }).click();
  await expect(line).toHaveCount(0);
});
