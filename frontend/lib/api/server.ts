/** The API as the dashboard's server calls it while rendering a page: the person's own cookies
 * forwarded to ARKENOS_API_URL (the address proxy.ts sends /api/* to), so what the server
 * prefetches is exactly what the browser would have fetched. Server components only. */

import { dehydrate, QueryClient, type DehydratedState, type QueryKey } from "@tanstack/react-query";
import createClient from "openapi-fetch";
import { cookies } from "next/headers";
import { notFound } from "next/navigation";

import { unwrap, type ApiClient } from "./client";
import { ApiError } from "./errors";
import type { paths } from "./schema";

export async function serverApi(): Promise<ApiClient> {
  const cookie = (await cookies()).toString();
  return createClient<paths>({
    baseUrl: process.env.ARKENOS_API_URL ?? "http://127.0.0.1:8000",
    headers: cookie ? { cookie } : {},
    // Per person and request: never cached across them.
    fetch: (request) => fetch(request, { cache: "no-store" }),
  });
}

/** The page's first queries, fetched on the server, as state for a HydrationBoundary: the HTML
 * arrives with the content and the browser starts with warm queries instead of a waterfall of
 * fetches after hydration. A query that fails is left out (the page then fetches it itself and
 * shows its error state as before). */
export async function prefetched(
  fill: (client: QueryClient, api: ApiClient) => Promise<unknown>[],
  options: { notFoundUnless?: QueryKey } = {},
): Promise<DehydratedState> {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  await Promise.all(fill(client, await serverApi()));
  // The page's own resource (an agent, a call) that the API says does not exist: the nearest
  // not-found page, with a 404 status, instead of an error box on a page that has nothing.
  if (options.notFoundUnless && isNotFound(client.getQueryState(options.notFoundUnless)?.error)) notFound();
  return dehydrate(client);
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}

export { unwrap };
