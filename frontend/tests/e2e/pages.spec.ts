/** Every page and every dialog: no serious or critical axe violation (light and dark), no
 * sideways scrolling at 375 px, and screenshots at 1280 and 375 px in artifacts/screenshots.
 * The not-found pages (an unknown address, agent or call) are in the gallery too, with their 404. */

import { expect, test, type Locator, type Page } from "@playwright/test";

import { csrfToken } from "./support/api";
import { reportCall } from "./support/calls";
import { adminContext, anonymousContext } from "./support/contexts";
import { ADMIN } from "./support/env";
import { expectAccessible, expectNoHorizontalScroll, resize, saveScreenshot, screenshots } from "./support/pages";

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

/** A call id no workspace has (a well-formed UUID, so the API itself answers 404). */
const NO_CALL = "00000000-0000-4000-8000-000000000000";

const notFound = (title: string) => async (page: Page) => {
  await expect(page.getByTestId("not-found")).toBeVisible();
  await expect(page.getByRole("heading", { name: title, exact: true })).toBeVisible();
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
  {
    name: "tokens",
    path: `/w/${WS}/tokens`,
    // Settled before axe and the screenshots: the tokens listed (or none), and the roles the
    // owner may give (until the workspace's role is known the form offers only "viewer").
    ready: async (page) => {
      await expect(page.getByRole("list", { name: "Tokens" }).or(page.getByText("No tokens yet"))).toBeVisible();
      await expect(page.getByLabel("Role").locator("option")).toHaveCount(4);
    },
  },
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
  { name: "not-found", path: "/no-such-page", ready: notFound("This page does not exist") },
  { name: "workspace-not-found", path: `/w/${WS}/no-such-section`, ready: notFound("This page does not exist") },
  { name: "agent-not-found", path: `/w/${WS}/agents/no-such-agent`, ready: notFound("No such agent") },
  { name: "call-not-found", path: `/w/${WS}/calls/${NO_CALL}`, ready: notFound("No such call") },
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

    await resize(page, { width: 375, height: 812 });
    await expectNoHorizontalScroll(page, item.name);
    // The sections' row scrolls sideways at 375 px; the current section is in view in it.
    const current = page.getByRole("navigation", { name: "Workspace" }).locator('[aria-current="page"]');
    if (await current.count()) await expect(current).toBeInViewport({ ratio: 1 });

    await page.emulateMedia({ colorScheme: "dark" });
    await expect(page.locator("html")).toHaveClass(/dark/);
    await expectAccessible(page, `${item.name} (dark)`);
    await saveScreenshot(page, `${item.name}-375-dark`);
    await context.close();
  });
}

test("an unknown address, agent or call answers 404 with a way back", async ({ page }) => {
  for (const [path, link] of [
    ["/no-such-page", "Your workspaces"],
    [`/w/${WS}/no-such-section`, "Agents"],
    [`/w/${WS}/agents/no-such-agent`, "All agents"],
    [`/w/${WS}/calls/${NO_CALL}`, "Call logs"],
    [`/w/${WS}/calls/not-a-call-id`, "Call logs"],
  ] as const) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(404);
    await expect(page.getByTestId("not-found"), path).toBeVisible();
    await expect(page.getByTestId("not-found").getByRole("link", { name: link, exact: true }), path).toBeVisible();
  }
  // Inside a workspace the frame stays: its navigation still leads on.
  await expect(page.getByRole("navigation", { name: "Workspace" }).getByRole("link", { name: "Call logs" })).toBeVisible();
  await page.getByTestId("not-found").getByRole("link", { name: "Call logs" }).click();
  await expect(page).toHaveURL(new RegExp(`/w/${WS}/calls$`));
});

interface DialogCase {
  name: string;
  path: string;
  /** Opens the dialog and returns the control that opened it (focus goes back to it). */
  open: (page: Page) => Promise<Locator>;
  title: string | RegExp;
}

/** Clicks a trigger once the page shows it, and hands it back. */
const via = (trigger: (page: Page) => Locator, before?: (page: Page) => Promise<void>) => async (page: Page) => {
  if (before) await before(page);
  const control = trigger(page);
  await control.click();
  return control;
};

const editorReady = async (page: Page) => {
  await expect(page.locator(".monaco-editor")).toBeVisible({ timeout: 60_000 });
};

const searched = async (page: Page) => {
  await page.getByRole("form", { name: "Search numbers" }).getByRole("button", { name: "Search" }).click();
  await expect(page.getByRole("list", { name: "Available numbers" })).toBeVisible();
};

const DIALOGS: DialogCase[] = [
  { name: "dialog-new-custom-agent", path: `/w/${WS}/agents`, title: "New custom agent", open: via((page) => page.getByRole("button", { name: "New custom agent" })) },
  { name: "dialog-delete-agent", path: `/w/${WS}/agents/gallery`, title: "Delete gallery?", open: via((page) => page.getByRole("button", { name: "Delete agent" })) },
  {
    name: "dialog-buy-number",
    path: `/w/${WS}/phone-numbers`,
    title: /^Buy \+1/,
    open: via((page) => page.getByRole("list", { name: "Available numbers" }).getByRole("button", { name: /^Buy / }).first(), searched),
  },
  { name: "dialog-outbound-call", path: `/w/${WS}/phone-numbers`, title: "Call a phone", open: via((page) => page.getByRole("button", { name: "Call a phone" })) },
  {
    name: "dialog-release-number",
    path: `/w/${WS}/phone-numbers`,
    title: /^Release /,
    open: via((page) => page.getByTestId("line-gallery-line").getByRole("button", { name: "Release" })),
  },
  {
    name: "dialog-new-file",
    path: `/w/${WS}/agents/gallery-code/code`,
    title: "New file",
    open: via((page) => page.getByRole("navigation", { name: "Files" }).getByRole("button", { name: "New file" }), editorReady),
  },
  { name: "dialog-rename-file", path: `/w/${WS}/agents/gallery-code/code`, title: "Rename agent.py", open: via((page) => page.getByRole("button", { name: "Rename" }), editorReady) },
  {
    name: "dialog-delete-file",
    path: `/w/${WS}/agents/gallery-code/code`,
    title: "Delete agent.py?",
    open: via((page) => page.getByTestId("editor-toolbar").getByRole("button", { name: "Delete" }), editorReady),
  },
];

for (const item of DIALOGS) {
  test(`${item.name}: accessible, fits 375 px, screenshots, Escape gives focus back`, async ({ browser }) => {
    test.slow(); // axe twice and three screenshots, some behind Monaco
    const context = await adminContext(browser);
    const page = await context.newPage();
    await page.goto(item.path);
    const trigger = await item.open(page);
    const dialog = page.getByRole("dialog", { name: item.title });
    await expect(dialog).toBeVisible();
    await expectAccessible(page, `${item.name} (light)`);
    await screenshots(page, item.name);

    await resize(page, { width: 375, height: 812 });
    await expectNoHorizontalScroll(page, item.name);
    const box = await dialog.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 375, `${item.name} fits 375 px`).toBe(true);

    await page.emulateMedia({ colorScheme: "dark" });
    await expect(page.locator("html")).toHaveClass(/dark/);
    await expectAccessible(page, `${item.name} (dark)`);
    await saveScreenshot(page, `${item.name}-375-dark`);

    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
    await expect(trigger).toBeFocused();
    await context.close();
  });
}

test("the header's menus (loaded on intent) open from the keyboard and the pointer, and give focus back", async ({ page }) => {
  await page.goto(`/w/${WS}/agents`);
  const switcher = page.getByRole("button", { name: /Switch workspace$/ });
  const account = page.getByRole("button", { name: "Account" });
  // The header is in the server's HTML: a key pressed before React has hydrated it reaches no
  // handler (on a loaded machine that can be after the load event). React has attached its
  // props to the button once it has.
  const hydrated = (element: HTMLElement | SVGElement | null) => !!element && Object.keys(element).some((key) => key.startsWith("__reactProps"));
  await page.waitForFunction(hydrated, await switcher.elementHandle());
  // A press made while the menu's code is still on its way is kept: the code is held back
  // until after Enter, and the menu opens when it arrives.
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/_next/static/chunks/**", async (route) => {
    await held;
    await route.continue();
  });
  await switcher.focus();
  await page.keyboard.press("Enter");
  await expect(switcher).not.toHaveAttribute("data-state", /.*/); // still the placeholder
  release(); // the route stays: later chunks pass through at once
  const workspaces = page.getByRole("menu");
  await expect(workspaces.getByRole("menuitem", { name: /All workspaces|Create or manage workspaces/ })).toBeVisible();
  await expect(switcher).toHaveAttribute("aria-expanded", "true");
  await expectAccessible(page, "workspace menu");
  await page.keyboard.press("Escape");
  await expect(workspaces).toBeHidden();
  await expect(switcher).toBeFocused();
  await expect(switcher).toHaveAttribute("aria-expanded", "false");
  // Focus that was on the placeholder when the menu arrived moves to the menu's own trigger
  // (the placeholder leaves the page), so the next key reaches it.
  await account.focus();
  await expect(account).toHaveAttribute("data-state", "closed");
  await expect(account).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("menu")).toContainText(ADMIN.email);
  await page.keyboard.press("Escape");
  await expect(account).toBeFocused();
  // Pointer: a press opens the account menu, with the person's email.
  await account.click();
  await expect(page.getByRole("menu")).toContainText(ADMIN.email);
  await expect(page.getByRole("menuitem", { name: "Log out" })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(account).toBeFocused();
});

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
