/** Every page: no serious or critical axe violation (light and dark), no sideways scrolling at
 * 375 px, and screenshots at 1280 and 375 px in artifacts/screenshots. */

import { expect, test, type Page } from "@playwright/test";

import { csrfToken } from "./support/api";
import { reportCall } from "./support/calls";
import { adminContext, anonymousContext } from "./support/contexts";
import { ADMIN } from "./support/env";
import { expectAccessible, expectNoHorizontalScroll, screenshots } from "./support/pages";

const WS = ADMIN.workspace;

interface PageCase {
  name: string;
  path: string | (() => string);
  ready: (page: Page) => Promise<void>;
  loggedOut?: boolean;
}

let invitationPath = "";
let callPath = "";

test.beforeAll(async ({ browser }) => {
  const context = await adminContext(browser);
  const headers = { "X-CSRF-Token": await csrfToken(context) };
  const created = await context.request.post(`/api/v1/workspaces/${WS}/agents`, {
    headers,
    data: { name: "gallery", spec: { displayName: "Gallery agent", instructions: "Say hello.", tools: [{ name: "end_call", type: "EndCall" }] } },
  });
  expect([201, 409]).toContain(created.status());
  const line = await context.request.post(`/api/v1/workspaces/${WS}/phone-numbers`, {
    headers,
    data: { name: "gallery-line", agent: "gallery", phoneNumber: "+14155550103", country: "US", outbound: true },
  });
  expect([201, 409], await line.text()).toContain(line.status());
  const code = await context.request.post(`/api/v1/workspaces/${WS}/agents/gallery-code/code`, { headers, data: { template: "starter" } });
  expect([201, 409], await code.text()).toContain(code.status());
  const invitation = await context.request.post(`/api/v1/workspaces/${WS}/invitations`, { headers, data: { email: "lin@example.com", role: "viewer" } });
  expect(invitation.status()).toBe(201);
  invitationPath = new URL((await invitation.json()).link).pathname;
  await context.close();
  const call = await reportCall({
    workspace: WS,
    agent: "gallery",
    direction: "Inbound",
    caller: "+14155550100",
    callee: "+14155559000",
    startedSecondsAgo: 600,
    seconds: 95,
    transcript: [
      ["agent", "Hello, how can I help?"],
      ["user", "Is the gallery open on Sunday?"],
      ["agent", "Yes, from ten to four."],
    ],
    turns: [
      [820, 190, 400, 110],
      [690, 170, 330, 95],
    ],
    toolCalls: [{ name: "opening_hours", arguments: { day: "Sunday" }, result: "10:00-16:00", durationMs: 140 }],
    usage: [{ provider: "openai", model: "gpt-4o-mini", metric: "llm_input_tokens", quantity: 2400 }],
  });
  callPath = `/w/${WS}/calls/${call}`;
});

const heading = (name: string) => async (page: Page) => {
  await expect(page.getByRole("heading", { name, exact: true })).toBeVisible();
};

const CASES: PageCase[] = [
  { name: "login", path: "/login", ready: heading("Log in"), loggedOut: true },
  { name: "signup", path: "/signup", ready: heading("Create your account"), loggedOut: true },
  { name: "invitation", path: () => invitationPath, ready: heading("You are invited to a workspace") },
  { name: "workspaces", path: "/workspaces", ready: async (page) => await expect(page.getByRole("link", { name: /acme/ })).toBeVisible() },
  { name: "agents", path: `/w/${WS}/agents`, ready: async (page) => await expect(page.getByRole("list", { name: "Agents" })).toBeVisible() },
  { name: "agent-templates", path: `/w/${WS}/agents/new`, ready: async (page) => await expect(page.getByRole("button", { name: /Receptionist/ })).toBeVisible() },
  {
    name: "agent-new",
    path: `/w/${WS}/agents/new`,
    ready: async (page) => {
      await page.getByRole("button", { name: /Receptionist/ }).click();
      await page.getByRole("button", { name: "HTTP request" }).click();
      await page.getByRole("button", { name: "Add argument" }).click();
      await expect(page.getByRole("button", { name: "Create agent" })).toBeVisible();
    },
  },
  { name: "agent-edit", path: `/w/${WS}/agents/gallery`, ready: async (page) => await expect(page.getByRole("button", { name: "Save changes" })).toBeVisible() },
  {
    name: "agent-code",
    path: `/w/${WS}/agents/gallery-code/code`,
    ready: async (page) => {
      await expect(page.locator(".monaco-editor")).toBeVisible({ timeout: 60_000 });
      await expect(page.getByText("No problems: the draft would deploy.")).toBeVisible();
    },
  },
  {
    name: "talk",
    path: `/w/${WS}/agents/gallery/talk`,
    ready: async (page) => {
      await expect(page.getByRole("heading", { name: "Talk to Gallery agent" })).toBeVisible();
      await expect(page.getByRole("button", { name: "Start call" })).toBeEnabled();
    },
  },
  { name: "keys", path: `/w/${WS}/keys`, ready: async (page) => await expect(page.getByTestId("key-twilio")).toBeVisible() },
  {
    name: "phone-numbers",
    path: `/w/${WS}/phone-numbers`,
    ready: async (page) => {
      await expect(page.getByTestId("line-gallery-line")).toBeVisible();
      await page.getByRole("form", { name: "Search numbers" }).getByRole("button", { name: "Search" }).click();
      await expect(page.getByRole("list", { name: "Available numbers" })).toBeVisible();
    },
  },
  { name: "members", path: `/w/${WS}/members`, ready: async (page) => await expect(page.getByRole("list", { name: "Members" })).toBeVisible() },
  { name: "tokens", path: `/w/${WS}/tokens`, ready: heading("API tokens") },
  { name: "calls", path: `/w/${WS}/calls`, ready: async (page) => await expect(page.getByRole("list", { name: "Calls" })).toBeVisible() },
  {
    name: "call-detail",
    path: () => callPath,
    ready: async (page) => {
      await expect(page.getByRole("list", { name: "Transcript" })).toBeVisible();
      await expect(page.locator("[data-chart=latency] svg").first()).toBeVisible();
      await page.getByText("Latency table").click();
    },
  },
  {
    name: "analytics",
    path: `/w/${WS}/analytics`,
    ready: async (page) => {
      await expect(page.getByTestId("total-calls")).toBeVisible();
      await expect(page.locator("[data-chart]")).toHaveCount(3);
      for (const chart of await page.locator("[data-chart]").all()) await expect(chart.locator("svg").first()).toBeVisible();
    },
  },
];

for (const item of CASES) {
  test(`${item.name}: accessible, fits 375 px, screenshots`, async ({ browser }) => {
    test.slow(); // axe twice and six screenshots
    const context = await (item.loggedOut ? anonymousContext(browser) : adminContext(browser));
    const page = await context.newPage();
    await page.goto(typeof item.path === "string" ? item.path : item.path());
    await item.ready(page);
    await expectAccessible(page, `${item.name} (light)`);
    await screenshots(page, item.name);

    await page.setViewportSize({ width: 375, height: 812 });
    await expectNoHorizontalScroll(page, item.name);

    await page.emulateMedia({ colorScheme: "dark" });
    await expect(page.locator("html")).toHaveClass(/dark/);
    await expectAccessible(page, `${item.name} (dark)`);
    await page.screenshot({ path: `artifacts/screenshots/${item.name}-375-dark.png`, fullPage: true });
    await context.close();
  });
}

test("the page is served with a nonce Content-Security-Policy", async ({ page }) => {
  const response = await page.goto("/login");
  const policy = response?.headers()["content-security-policy"] ?? "";
  expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  expect(policy).toContain("frame-ancestors 'none'");
  const violations: string[] = [];
  page.on("console", (message) => {
    if (message.text().includes("Content Security Policy")) violations.push(message.text());
  });
  await page.reload();
  await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
  expect(violations).toEqual([]);
});
