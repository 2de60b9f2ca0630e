import { HydrationBoundary } from "@tanstack/react-query";
import { notFound } from "next/navigation";

import { prefetched, unwrap } from "@/lib/api/server";
import { queryKeys } from "@/lib/query-keys";

import { CallDetailView } from "./_components/call-detail";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The call is fetched while the server renders: its heading, facts and transcript are in the
 * HTML (the largest paint no longer waits for the bundle to ask). A call the workspace does not
 * have, or an id that cannot be one, is the workspace's not-found page. */
export default async function CallPage({ params }: { params: Promise<{ workspace: string; id: string }> }) {
  const { workspace, id } = await params;
  if (!UUID.test(id)) notFound();
  const key = queryKeys.call(workspace, id);
  const state = await prefetched(
    (client, api) => [
      client.prefetchQuery({
        queryKey: key,
        queryFn: () => unwrap(api.GET("/api/v1/workspaces/{workspace}/sessions/{session_id}", { params: { path: { workspace, session_id: id } } })),
      }),
    ],
    { notFoundUnless: key },
  );
  return (
    <HydrationBoundary state={state}>
      <CallDetailView />
    </HydrationBoundary>
  );
}
