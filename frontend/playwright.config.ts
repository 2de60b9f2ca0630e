import { defineConfig, devices } from "@playwright/test";

/** Browser tests against `next start` and the real API (scripts/run-tests.mjs starts both and
 * sets E2E_BASE_URL). Debian's Chromium: no browser download. */

import { CHROMIUM_LAUNCH } from "./tests/e2e/support/browser";
import { baseURL } from "./tests/e2e/support/env";

const chromium = { ...devices["Desktop Chrome"], launchOptions: CHROMIUM_LAUNCH };

export default defineConfig({
  testDir: "tests/e2e",
  outputDir: "artifacts/test-results",
  // One worker: the machine is small, and the first account made is the platform admin.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"], ["json", { outputFile: "artifacts/playwright.json" }]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
  },
  projects: [
    { name: "setup", testMatch: /.*\.setup\.ts/, use: chromium },
    {
      name: "chromium",
      testMatch: /.*\.spec\.ts/,
      dependencies: ["setup"],
      use: { ...chromium, storageState: "artifacts/.auth/admin.json" },
    },
  ],
});
