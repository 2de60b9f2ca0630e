import { HydrationBoundary } from "@tanstack/react-query";

import { isNotFound, prefetched, unwrap } from "@/lib/api/server";
import { defaultPath } from "@/lib/code/tree";
import { queryKeys } from "@/lib/query-keys";

import { AgentCode } from "./_components/agent-code";

/** The tree and the file the editor opens first are fetched while the server renders: the HTML
 * has the file tree and the code (as a plain preview until Monaco, loaded after, takes over), so
 * the page's largest paint does not wait for the editor's 850 KB. */
export default async function AgentCodePage({ params }: { params: Promise<{ workspace: string; name: string }> }) {
  const { workspace, name } = await params;
  const state = await prefetched((client, api) => [
    (async () => {
      // As the page's own query: an agent without code yet is null (the page offers to start it).
      const tree = await client.fetchQuery({
        queryKey: queryKeys.codeTree(workspace, name),
        queryFn: () =>
          unwrap(api.GET("/api/v1/workspaces/{workspace}/agents/{name}/code", { params: { path: { workspace, name } } })).catch((error: unknown) => {
            if (isNotFound(error)) return null;
            throw error;
          }),
      });
      const path = tree ? defaultPath(tree) : null;
      if (path === null) return;
      await client.prefetchQuery({
        queryKey: queryKeys.codeFile(workspace, name, path),
        queryFn: () => unwrap(api.GET("/api/v1/workspaces/{workspace}/agents/{name}/code/files/{path}", { params: { path: { workspace, name, path } } })),
      });
    })().catch(() => {
      // Left out of the state: the page fetches the tree itself and shows its error.
    }),
  ]);
  return (
    <HydrationBoundary state={state}>
      <AgentCode />
    </HydrationBoundary>
  );
}
