"use client";

import { useQuery } from "@tanstack/react-query";
import { PlusIcon } from "lucide-react";
import Link from "next/link";
import { useParams } from "next/navigation";

import { EmptyState, ErrorState, LoadingRows, PageHeader } from "@/components/states";
import { buttonVariants } from "@/components/ui/button";
import { api, unwrap } from "@/lib/api/client";
import { roleAllows } from "@/lib/api/types";
import { workspacePath } from "@/lib/nav";
import { queryKeys, useWorkspace } from "@/lib/queries";

import { NewCustomAgent } from "./_components/new-custom-agent";
import { ReadyBadge } from "./_components/ready-badge";
import { readiness } from "@/lib/agents/readiness";

export default function AgentsPage() {
  const { workspace } = useParams<{ workspace: string }>();
  const role = useWorkspace(workspace).data?.role ?? "viewer";
  const agents = useQuery({
    queryKey: queryKeys.agents(workspace),
    queryFn: () => unwrap(api.GET("/api/v1/workspaces/{workspace}/agents", { params: { path: { workspace } } })),
    refetchInterval: 10_000, // Ready changes as the operator works
  });
  const canCreate = roleAllows(role, "developer");
  const newAgent = (
    <>
      <NewCustomAgent workspace={workspace} />
      <Link href={workspacePath(workspace, "agents", "new")} className={buttonVariants()}>
        <PlusIcon aria-hidden /> New agent
      </Link>
    </>
  );

  return (
    <div className="flex flex-col gap-6">
      <PageHeader title="Agents" description="Voice agents in this workspace and whether they are ready to take calls." actions={canCreate ? newAgent : null} />
      {agents.isPending ? <LoadingRows /> : null}
      {agents.isError ? <ErrorState error={agents.error} onRetry={() => agents.refetch()} /> : null}
      {agents.data?.length === 0 ? (
        <EmptyState title="No agents yet">{canCreate ? "Create one from a template to get started." : "A developer of this workspace can create one."}</EmptyState>
      ) : null}
      {agents.data && agents.data.length > 0 ? (
        <ul aria-label="Agents" className="flex flex-col divide-y rounded-lg border">
          {agents.data.map((agent) => {
            const ready = readiness(agent);
            return (
              <li key={agent.name}>
                <Link
                  href={workspacePath(workspace, "agents", agent.name)}
                  className="flex flex-col gap-2 px-4 py-3 outline-none hover:bg-accent focus-visible:ring-2 focus-visible:ring-ring sm:flex-row sm:items-center"
                >
                  <span className="flex min-w-0 flex-1 flex-col">
                    <span className="truncate font-medium">{agent.spec.displayName || agent.name}</span>
                    <span className="truncate text-xs text-muted-foreground">
                      {agent.name} · {agent.spec.mode ?? "Standard"} · {agent.spec.llm?.model ?? "gpt-4o-mini"}
                    </span>
                  </span>
                  <span className="flex min-w-0 flex-col gap-1 sm:max-w-[50%] sm:items-end">
                    <ReadyBadge readiness={ready} />
                    {ready.message ? <span className="text-xs text-muted-foreground sm:text-right">{ready.message}</span> : null}
                  </span>
                </Link>
              </li>
            );
          })}
        </ul>
      ) : null}
    </div>
  );
}
