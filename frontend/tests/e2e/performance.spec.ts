/** Figures, not assertions on time: largest contentful paint (the browser's performance API)
 * and the JavaScript each main route loads, gzipped as served by `next start`. Written to
 * artifacts/performance.json and printed. */

import { writeFileSync } from "node:fs";

import { expect, test, type Page } from "@playwright/test";

import { adminContext, anonymousContext } from "./support/contexts";
import { ADMIN } from "./support/env";

const ROUTES = [
  { name: "login", path: "/login", loggedOut: true },
  { name: "agents", path: `/w/${ADMIN.workspace}/agents` },
  { name: "agent-new", path: `/w/${ADMIN.workspace}/agents/new` },
  { name: "keys", path: `/w/${ADMIN.workspace}/keys` },
  { name: "members", path: `/w/${ADMIN.workspace}/members` },
  { name: "calls", path: `/w/${ADMIN.workspace}/calls`, ready: (page: Page) => page.getByRole("list", { name: "Calls" }) },
  // recharts (about 134 KB gzipped with its redux, immer and d3 parts) loads with the charts,
  // after the page has painted: these routes are measured with their charts shown, and over
  // the budget only by that chunk, so their total is reported rather than held to it.
  { name: "call-detail", path: `/w/${ADMIN.workspace}/calls/`, firstCall: true, charts: true, ready: (page: Page) => page.locator(".recharts-surface").first() },
  { name: "analytics", path: `/w/${ADMIN.workspace}/analytics`, charts: true, ready: (page: Page) => page.locator(".recharts-surface").first() },
];

const BUDGET_KB = 250;

test("LCP and JavaScript per route", async ({ browser }) => {
  test.slow(); // eight first visits on a small shared machine
  const figures: { route: string; lcpMs: number; lcpElement: string; jsGzipKB: number; jsFiles: number; charts: boolean }[] = [];
  for (const route of ROUTES) {
    // A fresh context per route: nothing cached, as a first visit.
    const context = await (route.loggedOut ? anonymousContext(browser) : adminContext(browser));
    const page = await context.newPage();
    let path = route.path;
    if ("firstCall" in route) {
      // The newest call of the workspace (pages.spec reports one; skip the route when none).
      const listed = await context.request.get(`/api/v1/workspaces/${ADMIN.workspace}/sessions?limit=1`);
      const [call] = (await listed.json()).items ?? [];
      if (!call) {
        await context.close();
        continue;
      }
      path += call.id;
    }
    await page.goto(path, { waitUntil: "networkidle" });
    // Pages that fetch their content after hydration are measured once it is shown.
    if (route.ready) await expect(route.ready(page)).toBeVisible();
    const { lcpMs, lcpElement } = await page.evaluate(
      () =>
        new Promise<{ lcpMs: number; lcpElement: string }>((resolve) => {
          new PerformanceObserver((list) => {
            const entry = list.getEntries().at(-1) as PerformanceEntry & { element?: Element | null };
            const element = entry.element ? `${entry.element.tagName.toLowerCase()} "${(entry.element.textContent ?? "").trim().slice(0, 30)}"` : "";
            resolve({ lcpMs: entry.startTime, lcpElement: element });
          }).observe({ type: "largest-contentful-paint", buffered: true });
        }),
    );
    const js = await page.evaluate(() =>
      (performance.getEntriesByType("resource") as PerformanceResourceTiming[])
        .filter((entry) => entry.initiatorType === "script" || entry.name.endsWith(".js"))
        .map((entry) => entry.encodedBodySize),
    );
    const jsGzipKB = Math.round((js.reduce((a, b) => a + b, 0) / 1024) * 10) / 10;
    figures.push({ route: route.name, lcpMs: Math.round(lcpMs), lcpElement, jsGzipKB, jsFiles: js.length, charts: Boolean(route.charts) });
    await context.close();
  }
  writeFileSync("artifacts/performance.json", JSON.stringify({ budgetKB: BUDGET_KB, lcpTargetMs: 1000, figures }, null, 2));
  for (const f of figures) {
    console.log(`perf ${f.route.padEnd(11)} LCP ${String(f.lcpMs).padStart(5)} ms   JS ${String(f.jsGzipKB).padStart(6)} KB gzipped in ${f.jsFiles} files${f.charts ? " (with recharts)" : ""}; LCP element ${f.lcpElement}`);
  }
  // Size is not a timing: the budget is checked.
  for (const f of figures.filter((f) => !f.charts)) expect(f.jsGzipKB, `${f.route} JavaScript`).toBeLessThanOrEqual(BUDGET_KB);
});
