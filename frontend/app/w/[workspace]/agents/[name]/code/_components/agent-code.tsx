"use client";

/** A custom agent's code: the file tree and Monaco editor with inline validation, deploys and
 * revisions (diff, rollback), the build log, and the coding assistant. ../page.tsx has fetched
 * the tree and the first file while the server rendered. */

import { ArrowLeftIcon } from "lucide-react";
import Link from "next/link";
import { useParams } from "next/navigation";

import { EmptyState, ErrorState, LoadingRows, PageHeader } from "@/components/states";
import { Button } from "@/components/ui/button";
import { roleAllows } from "@/lib/api/types";
import { workspacePath } from "@/lib/nav";
import { useWorkspace } from "@/lib/queries";

import { useStartCode, useTree } from "./code-api";
import { CodeWorkspace } from "./code-workspace";

export function AgentCode() {
  const { workspace, name } = useParams<{ workspace: string; name: string }>();
  const role = useWorkspace(workspace).data?.role ?? "viewer";
  const canEdit = roleAllows(role, "developer");
  const agent = { workspace, name };
  const tree = useTree(agent);
  const start = useStartCode(agent);

  return (
    // data-layout="wide": the workspace frame lifts its content's width cap for the editor.
    <div className="flex min-w-0 flex-col gap-6" data-layout="wide">
      <PageHeader
        title={`${name} · code`}
        description={
          <Link href={workspacePath(workspace, "agents", name)} className="inline-flex items-center gap-1 underline-offset-4 hover:underline">
            <ArrowLeftIcon className="size-3" aria-hidden /> Back to the agent
          </Link>
        }
      />
      {tree.isPending ? <LoadingRows rows={6} label="Loading the code" /> : null}
      {tree.isError ? <ErrorState error={tree.error} onRetry={() => tree.refetch()} /> : null}
      {tree.data === null ? (
        <EmptyState title="This agent has no code yet">
          {canEdit ? (
            <div className="flex flex-col items-center gap-3">
              <p>Start from the runtime&apos;s starter agent, or from an empty entrypoint.</p>
              <div className="flex flex-wrap justify-center gap-2">
                <Button onClick={() => start.mutate("starter")} disabled={start.isPending}>
                  Start from the starter
                </Button>
                <Button variant="outline" onClick={() => start.mutate("blank")} disabled={start.isPending}>
                  Start blank
                </Button>
              </div>
              {start.error ? <ErrorState title="Could not start the code" error={start.error} /> : null}
            </div>
          ) : (
            "A developer of this workspace can start it."
          )}
        </EmptyState>
      ) : null}
      {tree.data ? <CodeWorkspace agent={agent} tree={tree.data} canEdit={canEdit} /> : null}
    </div>
  );
}
