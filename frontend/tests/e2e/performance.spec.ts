/** Figures, not assertions on time: largest contentful paint (the browser's performance API),
 * the renderer's main-thread time for the load (Chromium's Performance.getMetrics) and the
 * JavaScript each main route loads, gzipped as served by `next start`, every route measured with
 * its content shown (charts drawn). Written to artifacts/performance.json and printed as a
 * table with the machine's load average beside it: on a shared machine LCP is mostly waiting
 * for a core. Only the JavaScript budget is checked (a size, not a timing). The code editor's
 * Monaco (about 850 KB gzipped, loaded after the page is drawn, never by another route) is
 * reported apart as "editor KB": what the page fetched from the moment it set the
 * "arkenos:monaco-import" mark; the budget holds the rest of that route's JavaScript. */

import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";

import { expect, test, type Page } from "@playwright/test";

import { csrfToken } from "./support/api";
import { reportCall } from "./support/calls";
import { adminContext, anonymousContext } from "./support/contexts";
import { ADMIN } from "./support/env";

const WS = ADMIN.workspace;
const BUDGET_KB = 250;

interface Route {
  name: string;
  path: string | (() => string);
  loggedOut?: boolean;
  /** What the page shows once its content is there. */
  ready: (page: Page) => ReturnType<Page["locator"]>;
}

let callPath = "";

const ROUTES: Route[] = [
  { name: "login", path: "/login", loggedOut: true, ready: (page) => page.getByRole("button", { name: "Log in" }) },
  { name: "agents", path: `/w/${WS}/agents`, ready: (page) => page.getByRole("list", { name: "Agents" }) },
  { name: "agent-new", path: `/w/${WS}/agents/new`, ready: (page) => page.getByRole("button", { name: /Receptionist/ }) },
  { name: "agent-edit", path: `/w/${WS}/agents/gallery`, ready: (page) => page.getByRole("button", { name: "Save changes" }) },
  { name: "agent-code", path: `/w/${WS}/agents/perf-code/code`, ready: (page) => page.locator(".monaco-editor .view-lines").first() },
  { name: "phone-numbers", path: `/w/${WS}/phone-numbers`, ready: (page) => page.getByRole("form", { name: "Search numbers" }) },
  { name: "keys", path: `/w/${WS}/keys`, ready: (page) => page.getByTestId("key-twilio") },
  { name: "members", path: `/w/${WS}/members`, ready: (page) => page.getByRole("list", { name: "Members" }) },
  { name: "tokens", path: `/w/${WS}/tokens`, ready: (page) => page.getByRole("heading", { name: "API tokens", exact: true }) },
  { name: "calls", path: `/w/${WS}/calls`, ready: (page) => page.getByRole("list", { name: "Calls" }) },
  { name: "call-detail", path: () => callPath, ready: (page) => page.locator("[data-chart=latency] svg").first() },
  { name: "analytics", path: `/w/${WS}/analytics`, ready: (page) => page.locator("[data-chart=by-agent] svg").first() },
];

interface Figure {
  route: string;
  lcpMs: number;
  lcpElement: string;
  fcpMs: number;
  ttfbMs: number;
  mainThreadMs: number;
  scriptMs: number;
  jsGzipKB: number;
  jsFiles: number;
  editorKB: number;
  load1: number;
}

test.beforeAll(async ({ browser }) => {
  // A call of its own with turns, so the detail page draws its chart (any spec order).
  const context = await adminContext(browser);
  const headers = { "X-CSRF-Token": await csrfToken(context) };
  const created = await context.request.post(`/api/v1/workspaces/${WS}/agents`, {
    headers,
    data: { name: "gallery", spec: { displayName: "Gallery agent", instructions: "Say hello.", tools: [{ name: "end_call", type: "EndCall" }] } },
  });
  expect([201, 409]).toContain(created.status());
  // A custom agent with code, for the editor's route.
  const code = await context.request.post(`/api/v1/workspaces/${WS}/agents/perf-code/code`, { headers, data: { template: "starter" } });
  expect([201, 409], await code.text()).toContain(code.status());
  await context.close();
  const call = await reportCall({
    workspace: WS,
    agent: "gallery",
    startedSecondsAgo: 900,
    seconds: 60,
    transcript: [
      ["agent", "Hello, how can I help?"],
      ["user", "When do you open?"],
      ["agent", "At nine."],
    ],
    turns: [
      [760, 180, 380, 100],
      [640, 160, 310, 90],
    ],
  });
  callPath = `/w/${WS}/calls/${call}`;
});

test("LCP and JavaScript per route", async ({ browser }) => {
  test.slow(); // twelve first visits on a small shared machine
  const figures: Figure[] = [];
  for (const route of ROUTES) {
    // A fresh context per route: nothing cached, as a first visit.
    const context = await (route.loggedOut ? anonymousContext(browser) : adminContext(browser));
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Performance.enable");
    const load1 = loadavg()[0];
    await page.goto(typeof route.path === "string" ? route.path : route.path(), { waitUntil: "networkidle" });
    await expect(route.ready(page)).toBeVisible();
    const paint = await page.evaluate(
      () =>
        new Promise<{ lcpMs: number; lcpElement: string; fcpMs: number; ttfbMs: number }>((resolve) => {
          new PerformanceObserver((list) => {
            const entry = list.getEntries().at(-1) as PerformanceEntry & { element?: Element | null };
            // A preview replaced since (the code page's, once Monaco is there) has no element left.
            const element = entry.element ? `${entry.element.tagName.toLowerCase()} "${(entry.element.textContent ?? "").trim().slice(0, 30)}"` : "(removed since)";
            const navigation = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
            const fcp = performance.getEntriesByName("first-contentful-paint")[0];
            resolve({ lcpMs: entry.startTime, lcpElement: element, fcpMs: fcp?.startTime ?? -1, ttfbMs: navigation.responseStart });
          }).observe({ type: "largest-contentful-paint", buffered: true });
        }),
    );
    const { metrics } = await cdp.send("Performance.getMetrics");
    const metric = (name: string) => Math.round((metrics.find((m) => m.name === name)?.value ?? 0) * 1000);
    const { js, editor } = await page.evaluate(() => {
      const mark = performance.getEntriesByName("arkenos:monaco-import", "mark")[0]?.startTime ?? Infinity;
      const scripts = (performance.getEntriesByType("resource") as PerformanceResourceTiming[]).filter(
        (entry) => entry.initiatorType === "script" || entry.name.endsWith(".js"),
      );
      return {
        js: scripts.filter((entry) => entry.startTime < mark).map((entry) => entry.encodedBodySize),
        editor: scripts.filter((entry) => entry.startTime >= mark).map((entry) => entry.encodedBodySize),
      };
    });
    figures.push({
      route: route.name,
      lcpMs: Math.round(paint.lcpMs),
      lcpElement: paint.lcpElement,
      fcpMs: Math.round(paint.fcpMs),
      ttfbMs: Math.round(paint.ttfbMs),
      mainThreadMs: metric("TaskDuration"),
      scriptMs: metric("ScriptDuration"),
      jsGzipKB: Math.round((js.reduce((a, b) => a + b, 0) / 1024) * 10) / 10,
      jsFiles: js.length,
      editorKB: Math.round((editor.reduce((a, b) => a + b, 0) / 1024) * 10) / 10,
      load1: Math.round(load1 * 100) / 100,
    });
    await context.close();
  }
  writeFileSync("artifacts/performance.json", JSON.stringify({ budgetKB: BUDGET_KB, lcpTargetMs: 1000, figures }, null, 2));
  console.log("perf route          LCP ms  FCP ms  TTFB ms  main-thread ms  script ms  JS KB gz  files  editor KB  load(1m)  LCP element");
  for (const f of figures) {
    const cells = [f.route.padEnd(14), String(f.lcpMs).padStart(6), String(f.fcpMs).padStart(7), String(f.ttfbMs).padStart(8), String(f.mainThreadMs).padStart(15), String(f.scriptMs).padStart(10), String(f.jsGzipKB).padStart(9), String(f.jsFiles).padStart(6), String(f.editorKB).padStart(10), String(f.load1).padStart(9)];
    console.log(`perf ${cells.join(" ")}  ${f.lcpElement}`);
  }
  // Every route was measured, with a paint; only the size is held to a budget.
  expect(figures.map((f) => f.route)).toEqual(ROUTES.map((r) => r.name));
  for (const f of figures) expect(f.lcpMs, `${f.route} has a largest contentful paint`).toBeGreaterThan(0);
  for (const f of figures) expect(f.jsGzipKB, `${f.route} JavaScript`).toBeLessThanOrEqual(BUDGET_KB);
  // The editor's route did load Monaco, and only it did.
  for (const f of figures) expect(f.editorKB > 0, `${f.route} loads Monaco`).toBe(f.route === "agent-code");
});
