import { HydrationBoundary } from "@tanstack/react-query";

import { prefetched, unwrap } from "@/lib/api/server";
import { queryKeys } from "@/lib/query-keys";

import { NewAgent } from "./_components/new-agent";

/** The templates are fetched while the server renders, so the picker (the page's largest paint)
 * is in the HTML rather than waiting for the bundle to ask for it. */
export default async function NewAgentPage() {
  const state = await prefetched((client, api) => [
    client.prefetchQuery({ queryKey: queryKeys.templates, queryFn: () => unwrap(api.GET("/api/v1/agent-templates")) }),
  ]);
  return (
    <HydrationBoundary state={state}>
      <NewAgent />
    </HydrationBoundary>
  );
}
