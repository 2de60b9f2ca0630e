import { HydrationBoundary } from "@tanstack/react-query";
import type { ReactNode } from "react";

import { prefetched, unwrap } from "@/lib/api/server";
import { queryKeys } from "@/lib/query-keys";

import { WorkspaceShell } from "./workspace-shell";

/** Who is logged in and the workspace, fetched while the server renders: the header, the
 * navigation and the page's heading are in the HTML, not waiting for the bundle to ask. */
export default async function WorkspaceLayout({ children, params }: { children: ReactNode; params: Promise<{ workspace: string }> }) {
  const { workspace } = await params;
  const state = await prefetched((client, api) => [
    client.prefetchQuery({ queryKey: queryKeys.me, queryFn: () => unwrap(api.GET("/api/v1/auth/me")) }),
    client.prefetchQuery({ queryKey: queryKeys.workspaces, queryFn: () => unwrap(api.GET("/api/v1/workspaces")) }),
    client.prefetchQuery({
      queryKey: queryKeys.workspace(workspace),
      queryFn: () => unwrap(api.GET("/api/v1/workspaces/{workspace}", { params: { path: { workspace } } })),
    }),
  ]);
  return (
    <HydrationBoundary state={state}>
      <WorkspaceShell>{children}</WorkspaceShell>
    </HydrationBoundary>
  );
}
