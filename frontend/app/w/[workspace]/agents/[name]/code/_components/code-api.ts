"use client";

/** The code page's queries and mutations, over the typed client. */

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, unwrap } from "@/lib/api/client";
import { ApiError } from "@/lib/api/errors";
import type { CodeFile, CodeTree } from "@/lib/api/types";
import { inProgress } from "@/lib/code/revisions";
import { queryKeys } from "@/lib/queries";

export interface AgentRef {
  workspace: string;
  name: string;
}

/** A placeholder the first deploy replaces with the new bundle's digest (the API requires a
 * source in Custom mode). */
const FIRST_DEPLOY_SPEC = {
  mode: "Custom" as const,
  custom: { source: { bundle: { digest: `sha256:${"0".repeat(64)}` } } },
};

const notFoundIsNull = <T,>(call: Promise<T>): Promise<T | null> =>
  call.catch((error: unknown) => {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  });

export function useTree({ workspace, name }: AgentRef) {
  return useQuery({
    queryKey: queryKeys.codeTree(workspace, name),
    queryFn: () =>
      notFoundIsNull(unwrap(api.GET("/api/v1/workspaces/{workspace}/agents/{name}/code", { params: { path: { workspace, name } } }))),
  });
}

export function useFile({ workspace, name }: AgentRef, path: string | null) {
  return useQuery({
    queryKey: queryKeys.codeFile(workspace, name, path ?? ""),
    enabled: path !== null,
    staleTime: Infinity, // the open buffer is the truth until it is saved or reloaded
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace}/agents/{name}/code/files/{path}", {
          params: { path: { workspace, name, path: path ?? "" } },
        }),
      ),
  });
}

export function useStartCode({ workspace, name }: AgentRef) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (template: "starter" | "blank") =>
      unwrap(api.POST("/api/v1/workspaces/{workspace}/agents/{name}/code", { params: { path: { workspace, name } }, body: { template } })),
    onSuccess: (tree) => queryClient.setQueryData(queryKeys.codeTree(workspace, name), tree),
  });
}

export function useValidation({ workspace, name }: AgentRef, treeVersion: number | undefined) {
  return useQuery({
    queryKey: [...queryKeys.code(workspace, name), "validation", treeVersion],
    enabled: treeVersion !== undefined,
    queryFn: () => unwrap(api.POST("/api/v1/workspaces/{workspace}/agents/{name}/code/validate", { params: { path: { workspace, name } } })),
  });
}

/** Writes, renames and deletes: each answers with the tree's new state, which replaces ours. */
export function useFileWrites(ref: AgentRef) {
  const { workspace, name } = ref;
  const queryClient = useQueryClient();
  const treeKey = queryKeys.codeTree(workspace, name);
  const refreshTree = () => queryClient.invalidateQueries({ queryKey: treeKey });

  const write = useMutation({
    mutationFn: ({ path, content, baseVersion }: { path: string; content: string; baseVersion?: string }) =>
      unwrap(
        api.PUT("/api/v1/workspaces/{workspace}/agents/{name}/code/files/{path}", {
          params: { path: { workspace, name, path } },
          body: { content, baseVersion: baseVersion ?? null },
        }),
      ),
    onSuccess: (file: CodeFile) => {
      queryClient.setQueryData(queryKeys.codeFile(workspace, name, file.path), file);
      return refreshTree();
    },
  });
  const rename = useMutation({
    mutationFn: ({ from, to, baseVersion }: { from: string; to: string; baseVersion: string }) =>
      unwrap(api.POST("/api/v1/workspaces/{workspace}/agents/{name}/code/rename", { params: { path: { workspace, name } }, body: { from, to, baseVersion } })),
    onSuccess: (tree: CodeTree) => queryClient.setQueryData(treeKey, tree),
  });
  const remove = useMutation({
    mutationFn: ({ path, baseVersion }: { path: string; baseVersion: string }) =>
      unwrap(
        api.DELETE("/api/v1/workspaces/{workspace}/agents/{name}/code/files/{path}", {
          params: { path: { workspace, name, path }, query: { baseVersion } },
        }),
      ),
    onSuccess: (_: unknown, { path }) => {
      queryClient.removeQueries({ queryKey: queryKeys.codeFile(workspace, name, path) });
      return refreshTree();
    },
  });
  return { write, rename, remove };
}

export function useRevisions({ workspace, name }: AgentRef) {
  return useQuery({
    queryKey: queryKeys.codeRevisions(workspace, name),
    queryFn: () => unwrap(api.GET("/api/v1/workspaces/{workspace}/agents/{name}/code/revisions", { params: { path: { workspace, name } } })),
    // Building and rolling out take a while: follow them until they settle.
    refetchInterval: (query) => (inProgress((query.state.data ?? []).map((r) => r.state)) ? 3_000 : false),
  });
}

/** The agent's resourceVersion as it is now (null before the first deploy). The operator
 * writes status all the time, so a version read when the page loaded would be stale; the API
 * takes the spec from the resource itself, and the version guards only its read-then-write. */
async function currentResourceVersion({ workspace, name }: AgentRef): Promise<string | null> {
  const agent = await notFoundIsNull(unwrap(api.GET("/api/v1/workspaces/{workspace}/agents/{name}", { params: { path: { workspace, name } } })));
  return agent?.resourceVersion ?? null;
}

export function useDeploy(ref: AgentRef) {
  const { workspace, name } = ref;
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (message: string) => {
      const resourceVersion = await currentResourceVersion(ref);
      return unwrap(
        api.POST("/api/v1/workspaces/{workspace}/agents/{name}/code/deploy", {
          params: { path: { workspace, name } },
          body: resourceVersion ? { message, resourceVersion } : { message, spec: FIRST_DEPLOY_SPEC },
        }),
      );
    },
    onSuccess: () => afterDeploy(queryClient, ref),
  });
}

export function useRollback(ref: AgentRef) {
  const { workspace, name } = ref;
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (number: number) => {
      const resourceVersion = await currentResourceVersion(ref);
      return unwrap(
        api.POST("/api/v1/workspaces/{workspace}/agents/{name}/code/revisions/{number}/rollback", {
          params: { path: { workspace, name, number } },
          body: { resourceVersion: resourceVersion ?? "" },
        }),
      );
    },
    onSuccess: () => afterDeploy(queryClient, ref),
  });
}

function afterDeploy(queryClient: ReturnType<typeof useQueryClient>, { workspace, name }: AgentRef) {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: queryKeys.agent(workspace, name), exact: true }),
    queryClient.invalidateQueries({ queryKey: queryKeys.agents(workspace), exact: true }),
    queryClient.invalidateQueries({ queryKey: queryKeys.codeRevisions(workspace, name) }),
    queryClient.invalidateQueries({ queryKey: queryKeys.buildLog(workspace, name) }),
  ]);
}

export function useDiff({ workspace, name }: AgentRef, number: number, against: number) {
  return useQuery({
    queryKey: queryKeys.codeDiff(workspace, name, number, against),
    staleTime: Infinity, // revisions never change
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace}/agents/{name}/code/revisions/{number}/diff", {
          params: { path: { workspace, name, number }, query: { against } },
        }),
      ),
  });
}

export function useBuildLog({ workspace, name }: AgentRef, follow: boolean) {
  return useQuery({
    queryKey: queryKeys.buildLog(workspace, name),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace}/agents/{name}/code/build/log", {
          params: { path: { workspace, name }, query: { tailLines: 200 } },
        }),
      ),
    retry: false, // 404 (no build) and 409 (not started) are answers, not failures
    refetchInterval: follow ? 3_000 : false,
  });
}
