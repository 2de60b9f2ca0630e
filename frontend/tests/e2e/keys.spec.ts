/** Provider keys: set one (only its last four shown), test it against the provider double,
 * see a refused key's message, delete it. */

import { expect, test } from "@playwright/test";

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
