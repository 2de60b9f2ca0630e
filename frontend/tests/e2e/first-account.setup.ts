/** The platform's first account, made through the sign-up page: it gets the first workspace
 * and becomes platform admin. The other tests reuse its session. */

import { mkdirSync } from "node:fs";

import { expect, test as setup } from "@playwright/test";

import { ADMIN, AUTH_STATE } from "./support/env";

setup("the first person to sign up gets the first workspace", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
  await page.getByRole("link", { name: "Sign up" }).click();
  // The log-in page has an Email field too: fill only once the sign-up page has replaced it.
  await expect(page).toHaveURL(/\/signup/);
  await expect(page.getByRole("heading", { name: "Create your account" })).toBeVisible();
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.getByText("Use at least 12 characters.")).toBeVisible();

  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByLabel("First workspace (optional)").fill(ADMIN.workspace);
  await page.getByRole("button", { name: "Sign up" }).click();
  // Sign-up and log-in each hash a password with argon2id: slow on a small, shared machine.
  await expect(page).toHaveURL(new RegExp(`/w/${ADMIN.workspace}/agents$`), { timeout: 45_000 });
  await expect(page.getByRole("heading", { name: "Agents" })).toBeVisible();
  await expect(page.getByText("No agents yet")).toBeVisible();

  mkdirSync("artifacts/.auth", { recursive: true });
  await page.context().storageState({ path: AUTH_STATE });
});
