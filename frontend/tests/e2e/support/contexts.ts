/** Browser contexts of their own (another person, a first visit), on the dashboard's URL. */

import type { Browser, BrowserContext } from "@playwright/test";

import { AUTH_STATE, baseURL } from "./env";

export function adminContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ baseURL, storageState: AUTH_STATE });
}

export function anonymousContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
}
