/** Accessibility checks and screenshots, taken the same way on every page. */

import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

export const WIDTHS = [1280, 375] as const;

/** No serious or critical axe violation (WCAG 2.x A and AA rules). */
export async function expectAccessible(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const grave = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const summary = grave.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
  expect(summary, `axe on ${what}`).toEqual([]);
}

/** Sets the viewport and lets the page draw one frame at that size, as a screen would. Resize
 * observers report at frames: two sizes set between frames are one change to them, while the
 * layout in between still happened (a sideways-scrolled row went back to its start at 1280 px
 * and, back at 375 px, nothing told the page it had narrowed). */
export async function resize(page: Page, size: { width: number; height: number }) {
  await page.setViewportSize(size);
  await page.evaluate(() => new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))));
}

/** The whole page saved as artifacts/screenshots/<file>.png, as a person would see it on a screen
 * that tall: the viewport is stretched to the page's height for the capture. (Chromium's
 * full-page capture keeps the viewport, so sticky parts, the header and the form's save bar,
 * are drawn where the viewport was, over the middle of the page.) */
export async function saveScreenshot(page: Page, file: string) {
  const size = page.viewportSize();
  await page.evaluate(() => window.scrollTo(0, 0));
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  if (size && height > size.height) await resize(page, { width: size.width, height });
  await page.screenshot({ path: `artifacts/screenshots/${file}.png`, fullPage: true });
  if (size) await resize(page, size);
}

/** Screenshots of the page at each width, saved under artifacts/screenshots. */
export async function screenshots(page: Page, name: string) {
  const original = page.viewportSize();
  for (const width of WIDTHS) {
    await resize(page, { width, height: width === 375 ? 812 : 900 });
    await saveScreenshot(page, `${name}-${width}`);
  }
  if (original) await resize(page, original);
}

/** Whether the page scrolls sideways (it must not, down to 375 px). */
export async function expectNoHorizontalScroll(page: Page, what: string) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${what} is wider than the viewport`).toBeLessThanOrEqual(0);
}
