/** A call log of 10,000 rows stays smooth: it is virtualised, so the document holds a few dozen
 * rows however many are loaded, and scrolling through them is measured frame by frame (figures
 * in artifacts/call-log-10k.json, printed; the row bound is the assertion).
 *
 * Reporting 10,000 calls through the API would take minutes on this machine, so the list
 * responses are served in the browser from one real call's summary, cloned with new ids and
 * times: the page under test, its cursor paging and every other request are the real ones. */

import { writeFileSync } from "node:fs";

import { expect, test } from "@playwright/test";

import { reportCall, workspaceWithAgents } from "./support/calls";
import { adminContext } from "./support/contexts";

const WS = "calls-big";
const TOTAL = 10_000;

test("10,000 calls: a bounded document and smooth scrolling", async ({ browser }) => {
  test.slow();
  const context = await adminContext(browser);
  await workspaceWithAgents(context, WS, ["switchboard"]);
  await reportCall({ workspace: WS, agent: "switchboard", direction: "Inbound", caller: "+14155550100", callee: "+14155559000", startedSecondsAgo: 60, seconds: 42 });
  const real = await context.request.get(`/api/v1/workspaces/${WS}/sessions?limit=1`);
  expect(real.ok()).toBe(true);
  const [template] = (await real.json()).items;
  const newest = Date.parse(template.startedAt);

  let pagesServed = 0;
  await context.route(new RegExp(`/api/v1/workspaces/${WS}/sessions\\?`), async (route) => {
    const url = new URL(route.request().url());
    const offset = Number(url.searchParams.get("cursor") ?? "0");
    const limit = Number(url.searchParams.get("limit") ?? "50");
    const items = Array.from({ length: Math.min(limit, TOTAL - offset) }, (_, i) => {
      const index = offset + i;
      const startedAt = new Date(newest - index * 37_000).toISOString();
      return { ...template, id: `00000000-0000-4000-8000-${String(index).padStart(12, "0")}`, startedAt, durationMs: 1000 * (30 + (index % 300)) };
    });
    const next = offset + items.length;
    pagesServed += 1;
    await route.fulfill({ json: { items, nextCursor: next < TOTAL ? String(next) : null } });
  });

  const page = await context.newPage();
  await page.goto(`/w/${WS}/calls`);
  const scroller = page.getByTestId("call-scroller");
  const status = page.getByRole("status").filter({ hasText: / calls?/ });
  const loaded = async () => Number((await status.textContent())?.match(/^([\d,]+) call/)?.[1].replace(/,/g, "") ?? 0);
  await expect.poll(loaded).toBeGreaterThan(0);

  const started = Date.now();
  while ((await loaded()) < TOTAL) {
    const before = await loaded();
    await scroller.evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
    await expect.poll(loaded, { timeout: 15_000, intervals: [50] }).toBeGreaterThan(before);
  }
  const loadAllMs = Date.now() - started;
  await expect(status).toHaveText("10,000 calls");
  await expect(page.getByRole("button", { name: "Load older calls" })).toHaveCount(0);

  const rowsInDocument = await page.getByRole("list", { name: "Calls" }).getByRole("listitem").count();
  expect(rowsInDocument, "rows in the document with 10,000 loaded").toBeLessThanOrEqual(60);
  // At the bottom, the last row is the oldest call served.
  await scroller.evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
  await expect(page.getByRole("list", { name: "Calls" }).getByRole("listitem").last()).toHaveAttribute("aria-posinset", String(TOTAL));

  // A brisk wheel scroll (120 px a frame, some 7,000 px a second) from the middle of the list,
  // timing every frame: each one brings new rows in and takes old ones out.
  const frames = await scroller.evaluate(
    (element) =>
      new Promise<number[]>((resolve) => {
        element.scrollTop = element.scrollHeight / 2;
        const deltas: number[] = [];
        let last = performance.now();
        const tick = (now: number) => {
          deltas.push(now - last);
          last = now;
          element.scrollTop += 120;
          if (deltas.length < 240) requestAnimationFrame(tick);
          else resolve(deltas.slice(1));
        };
        requestAnimationFrame(tick);
      }),
  );
  const sorted = [...frames].sort((a, b) => a - b);
  const pct = (p: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] * 10) / 10;
  const figures = {
    rows: TOTAL,
    pagesServed,
    loadAllMs,
    rowsInDocument,
    frames: frames.length,
    frameMs: { p50: pct(50), p95: pct(95), max: Math.round(sorted[sorted.length - 1]) },
    framesOver50ms: frames.filter((d) => d > 50).length,
  };
  writeFileSync("artifacts/call-log-10k.json", JSON.stringify(figures, null, 2));
  console.log(`call log 10k: ${rowsInDocument} rows in the document; scroll frames p50 ${figures.frameMs.p50} ms, p95 ${figures.frameMs.p95} ms, max ${figures.frameMs.max} ms, ${figures.framesOver50ms} over 50 ms; all pages loaded in ${loadAllMs} ms`);
  expect(await page.getByRole("list", { name: "Calls" }).getByRole("listitem").count()).toBeLessThanOrEqual(60);
  await context.close();
});
