/** Figures, not assertions on time: largest contentful paint (the browser's performance API)
 * and the JavaScript each main route loads, gzipped as served by `next start`. Written to
 * artifacts/performance.json and printed. */

import { writeFileSync } from "node:fs";

import { expect, test } from "@playwright/test";

import { adminContext, anonymousContext } from "./support/contexts";
import { ADMIN } from "./support/env";

const ROUTES = [
  { name: "login", path: "/login", loggedOut: true },
  { name: "agents", path: `/w/${ADMIN.workspace}/agents` },
  { name: "agent-new", path: `/w/${ADMIN.workspace}/agents/new` },
  { name: "keys", path: `/w/${ADMIN.workspace}/keys` },
  { name: "members", path: `/w/${ADMIN.workspace}/members` },
  { name: "calls", path: `/w/${ADMIN.workspace}/calls` },
  { name: "call-detail", path: `/w/${ADMIN.workspace}/calls/`, firstCall: true },
  { name: "analytics", path: `/w/${ADMIN.workspace}/analytics` },
];

const BUDGET_KB = 250;

test("LCP and JavaScript per route", async ({ browser }) => {
  const figures: { route: string; lcpMs: number; jsGzipKB: number; jsFiles: number }[] = [];
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
    const lcpMs = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          new PerformanceObserver((list) => {
            const entries = list.getEntries();
            resolve(entries[entries.length - 1].startTime);
          }).observe({ type: "largest-contentful-paint", buffered: true });
        }),
    );
    const js = await page.evaluate(() =>
      (performance.getEntriesByType("resource") as PerformanceResourceTiming[])
        .filter((entry) => entry.initiatorType === "script" || entry.name.endsWith(".js"))
        .map((entry) => entry.encodedBodySize),
    );
    const jsGzipKB = Math.round((js.reduce((a, b) => a + b, 0) / 1024) * 10) / 10;
    figures.push({ route: route.name, lcpMs: Math.round(lcpMs), jsGzipKB, jsFiles: js.length });
    await context.close();
  }
  writeFileSync("artifacts/performance.json", JSON.stringify({ budgetKB: BUDGET_KB, lcpTargetMs: 1000, figures }, null, 2));
  for (const f of figures) {
    console.log(`perf ${f.route.padEnd(10)} LCP ${String(f.lcpMs).padStart(5)} ms   JS ${String(f.jsGzipKB).padStart(6)} KB gzipped in ${f.jsFiles} files`);
  }
  // Size is not a timing: the budget is checked.
  for (const f of figures) expect(f.jsGzipKB, `${f.route} JavaScript`).toBeLessThanOrEqual(BUDGET_KB);
});
