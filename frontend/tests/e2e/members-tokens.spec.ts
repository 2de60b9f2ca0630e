/** Members, invitations and roles; API tokens shown once; log-out. */

import { expect, request as requests, test } from "@playwright/test";

import { anonymousContext } from "./support/contexts";
import { ADMIN, baseURL, PASSWORD } from "./support/env";

const WS = ADMIN.workspace;

test("invite someone, who signs up through the link and joins; the owner changes their role", async ({ page, browser }) => {
  test.slow(); // two browsers on a small shared machine
  await page.goto(`/w/${WS}/members`);
  await expect(page.getByRole("list", { name: "Members" })).toContainText(ADMIN.email);

  await page.getByLabel("Email").fill("grace@example.com");
  await page.getByLabel("Role", { exact: true }).selectOption("developer");
  await page.getByRole("button", { name: "Invite" }).click();
  const link = await page.getByTestId("invitation-link").textContent();
  expect(link).toMatch(/\/invitations\/.+/);

  // Grace opens the link in her own browser, signs up and accepts.
  const graceContext = await anonymousContext(browser);
  const grace = await graceContext.newPage();
  await grace.goto(link ?? "");
  await grace.getByRole("link", { name: "Sign up" }).click();
  // The invitation page may offer an Email field too: fill the sign-up page's.
  await expect(grace.getByRole("heading", { name: "Create your account" })).toBeVisible();
  await grace.getByLabel("Email").fill("grace@example.com");
  await grace.getByLabel("Password").fill(PASSWORD);
  await grace.getByRole("button", { name: "Sign up" }).click();
  await expect(grace.getByRole("heading", { name: "You are invited to a workspace" })).toBeVisible({ timeout: 45_000 });
  await grace.getByRole("button", { name: "Accept invitation" }).click();
  await expect(grace).toHaveURL(new RegExp(`/w/${WS}/agents$`));
  await expect(grace.getByRole("link", { name: "New agent" })).toBeVisible(); // developers create agents

  // The link works once.
  await grace.goto(link ?? "");
  await grace.getByRole("button", { name: "Accept invitation" }).click();
  // Next's route announcer is a role=alert too: look for the API's message.
  await expect(grace.getByRole("alert").filter({ hasText: "invitation" })).toBeVisible();

  await page.reload();
  const members = page.getByRole("list", { name: "Members" });
  await expect(members).toContainText("grace@example.com");
  await page.getByLabel("Role of grace@example.com").selectOption("viewer");
  await expect(page.getByLabel("Role of grace@example.com")).toHaveValue("viewer");

  // The last owner cannot be demoted: the API's message is shown.
  await page.getByLabel(`Role of ${ADMIN.email}`).selectOption("admin");
  await expect(members.getByRole("alert")).toContainText(/owner/);

  await grace.goto(`/w/${WS}/agents`);
  await expect(grace.getByRole("heading", { name: "Agents" })).toBeVisible();
  await expect(grace.getByRole("link", { name: "New agent" })).toHaveCount(0); // viewers do not
  await graceContext.close();
});

test("an API token is shown once, listed by prefix and revoked", async ({ page }) => {
  await page.goto(`/w/${WS}/tokens`);
  await expect(page.getByText("No tokens yet")).toBeVisible();
  await page.getByLabel("Name").fill("ci");
  await page.getByLabel("Role").selectOption("developer");
  await page.getByRole("button", { name: "Create token" }).click();
  const secret = (await page.getByTestId("new-token").textContent()) ?? "";
  expect(secret).toMatch(/^ark_/);

  // The token works against the API, as a script would use it.
  const script = await requests.newContext({ baseURL });
  const response = await script.get(`/api/v1/workspaces/${WS}/agents`, { headers: { Authorization: `Bearer ${secret}` } });
  expect(response.status()).toBe(200);
  await script.dispose();

  await page.reload();
  await expect(page.getByTestId("new-token")).toHaveCount(0);
  await expect(page.getByText(secret)).toHaveCount(0);
  const list = page.getByRole("list", { name: "Tokens" });
  await expect(list).toContainText("ci");
  await expect(list).toContainText(`${secret.slice(0, 8)}`);

  await list.getByRole("button", { name: "Revoke ci" }).click();
  await expect(list.getByText("revoked")).toBeVisible();
});

test("log out ends the session", async ({ browser }) => {
  const context = await anonymousContext(browser);
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password").fill("wrong password entirely");
  await page.getByRole("button", { name: "Log in" }).click();
  // The API's message for a wrong password (not Next's route announcer, also a role=alert).
  await expect(page.locator('[data-slot="alert"][role="alert"]')).toBeVisible();

  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(new RegExp(`/w/${WS}/agents$`));

  await page.getByRole("button", { name: "Account" }).click();
  await page.getByRole("menuitem", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto(`/w/${WS}/agents`);
  await expect(page).toHaveURL(/\/login\?next=/);
  await context.close();
});
