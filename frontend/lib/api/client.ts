/** The one typed client of the API (generated types from api/openapi.json, openapi-fetch).
 *
 * The dashboard calls the API on its own origin (`/api/...`, proxied by proxy.ts), so the
 * httpOnly session cookie is sent as a first-party cookie and never read by script. */

import createClient, { type Client, type Middleware } from "openapi-fetch";

import { CSRF_COOKIE, CSRF_HEADER, needsCsrf, readCookie } from "./csrf";
import { toApiError } from "./errors";
import type { paths } from "./schema";

export type ApiClient = Client<paths>;

/** Adds X-CSRF-Token to writes, from the cookie the API set at log-in. */
export function csrfMiddleware(readCookies: () => string): Middleware {
  return {
    onRequest({ request }) {
      if (needsCsrf(request.method)) {
        const token = readCookie(readCookies(), CSRF_COOKIE);
        if (token) request.headers.set(CSRF_HEADER, token);
      }
      return request;
    },
  };
}

export function createApiClient(
  baseUrl: string,
  readCookies: () => string,
  fetchImpl: typeof fetch = globalThis.fetch,
): ApiClient {
  const client = createClient<paths>({
    baseUrl,
    credentials: "same-origin",
    fetch: (request) => fetchImpl(request),
  });
  client.use(csrfMiddleware(readCookies));
  return client;
}

/** The browser's client: same origin, cookies from the document. */
export const api: ApiClient = createApiClient(
  typeof window === "undefined" ? "http://127.0.0.1" : window.location.origin,
  () => (typeof document === "undefined" ? "" : document.cookie),
);

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a successful call, or an ApiError carrying the API's message. */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw toApiError(response.status, error);
  return data as T;
}
