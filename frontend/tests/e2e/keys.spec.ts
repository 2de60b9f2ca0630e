/** Provider keys: set one (only its last four shown), test it against the provider double,
 * see a refused key's message, delete it. */

import { expect, test } from "@playwright/test";

import { csrfToken } from "./support/api";
import { ADMIN, validKeys } from "./support/env";

test("set, test and delete provider keys", async ({ page }) => {
  await page.goto(`/w/${ADMIN.workspace}/keys`);
  const openai = page.getByTestId("key-openai");
  await expect(openai.getByText("not set")).toBeVisible();

  const key = validKeys.openai;
  await openai.getByLabel("OpenAI key").fill(key);
  await openai.getByRole("button", { name: "Save" }).click();
  await expect(openai.getByText(`set · ends in ${key.slice(-4)}`)).toBeVisible();
  await expect(openai.getByLabel("Replace the OpenAI key")).toHaveValue("");
  await expect(page.getByText(key)).toHaveCount(0); // the key itself is never shown again

  await openai.getByRole("button", { name: "Test key" }).click();
  await expect(openai.getByText(/OpenAI accepted the key/)).toBeVisible();

  const cartesia = page.getByTestId("key-cartesia");
  await cartesia.getByLabel("Cartesia key").fill("not-the-right-key-9999");
  await cartesia.getByRole("button", { name: "Save" }).click();
  await expect(cartesia.getByText("set · ends in 9999")).toBeVisible();
  await cartesia.getByRole("button", { name: "Test key" }).click();
  await expect(cartesia.getByText(/Cartesia refused the key \(HTTP 401\)/)).toBeVisible();

  // The API's own validation message reaches the person.
  const google = page.getByTestId("key-google");
  await google.getByLabel("Google key").fill("short");
  await google.getByRole("button", { name: "Save" }).click();
  await expect(google.getByRole("alert")).toContainText(/8/);

  await openai.getByRole("button", { name: "Delete" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete the OpenAI key?" });
  await dialog.getByRole("button", { name: "Delete key" }).click();
  await expect(openai.getByText("not set")).toBeVisible();
});

test.describe("a Twilio key", () => {
  // A workspace Twilio key would make the other specs' lines use it: never leave one behind.
  test.afterEach(async ({ context }) => {
    const headers = { "X-CSRF-Token": await csrfToken(context) };
    const removed = await context.request.delete(`/api/v1/workspaces/${ADMIN.workspace}/keys/twilio`, { headers });
    expect([204, 404]).toContain(removed.status());
  });

  test("is tested against the Twilio double: a good one passes, a bad one shows Twilio's message", async ({ page }) => {
    await page.goto(`/w/${ADMIN.workspace}/keys`);
    const twilio = page.getByTestId("key-twilio");
    const good = validKeys.twilio;
    expect(good, "E2E_VALID_KEYS.twilio (tests/dashboard/serve_api.py)").toBeTruthy();
    await twilio.getByLabel("Twilio key").fill(good);
    await twilio.getByRole("button", { name: "Save" }).click();
    await expect(twilio.getByText(`set · ends in ${good.slice(-4)}`)).toBeVisible();
    await twilio.getByRole("button", { name: "Test key" }).click();
    await expect(twilio.getByText("Twilio accepted the key (HTTP 200).")).toBeVisible();

    const [sid] = good.split(":");
    await twilio.getByLabel("Replace the Twilio key").fill(`${sid}:not-the-auth-token-0000`);
    await twilio.getByRole("button", { name: "Save" }).click();
    await expect(twilio.getByText("set · ends in 0000")).toBeVisible();
    await twilio.getByRole("button", { name: "Test key" }).click();
    await expect(twilio.getByText(/Twilio refused the key \(HTTP 401\): .*Your AccountSid or AuthToken was incorrect\. \(Twilio error 20003\)/)).toBeVisible();
  });
});
