import { HydrationBoundary } from "@tanstack/react-query";

import { prefetched, unwrap } from "@/lib/api/server";
import { queryKeys } from "@/lib/query-keys";

import { AgentDetail } from "./_components/agent-detail";

/** The agent is fetched while the server renders (its name and Ready state are in the HTML);
 * one the workspace does not have is the workspace's not-found page. */
export default async function AgentPage({ params }: { params: Promise<{ workspace: string; name: string }> }) {
  const { workspace, name } = await params;
  const key = queryKeys.agent(workspace, name);
  const state = await prefetched(
    (client, api) => [
      client.prefetchQuery({
        queryKey: key,
        queryFn: () => unwrap(api.GET("/api/v1/workspaces/{workspace}/agents/{name}", { params: { path: { workspace, name } } })),
      }),
    ],
    { notFoundUnless: key },
  );
  return (
    <HydrationBoundary state={state}>
      <AgentDetail />
    </HydrationBoundary>
  );
}
