"use client";

/** Query keys and the queries every page shares (who is logged in, their workspaces). Feature
 * queries live beside their pages. */

import { useQuery } from "@tanstack/react-query";

import { api, unwrap } from "@/lib/api/client";

import { queryKeys } from "./query-keys";

export { queryKeys };

export function useMe() {
  return useQuery({
    queryKey: queryKeys.me,
    queryFn: () => unwrap(api.GET("/api/v1/auth/me")),
  });
}

export function useWorkspaces() {
  return useQuery({
    queryKey: queryKeys.workspaces,
    queryFn: () => unwrap(api.GET("/api/v1/workspaces")),
  });
}

export function useWorkspace(workspace: string) {
  return useQuery({
    queryKey: queryKeys.workspace(workspace),
    queryFn: () =>
      unwrap(api.GET("/api/v1/workspaces/{workspace}", { params: { path: { workspace } } })),
  });
}
