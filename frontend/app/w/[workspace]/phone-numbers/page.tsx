"use client";

import { useQuery } from "@tanstack/react-query";
import { useParams } from "next/navigation";

import { EmptyState, ErrorState, LoadingRows, PageHeader } from "@/components/states";
import { api, unwrap } from "@/lib/api/client";
import { roleAllows } from "@/lib/api/types";
import { queryKeys, useWorkspace } from "@/lib/queries";

import { CallDialog } from "./_components/call-dialog";
import { LineRow } from "./_components/line-row";
import { SearchPanel } from "./_components/search-panel";

export default function PhoneNumbersPage() {
  const { workspace } = useParams<{ workspace: string }>();
  const role = useWorkspace(workspace).data?.role ?? "viewer";
  const canManage = roleAllows(role, "developer");
  const path = { workspace };
  const lines = useQuery({
    queryKey: queryKeys.phoneNumbers(workspace),
    queryFn: () => unwrap(api.GET("/api/v1/workspaces/{workspace}/phone-numbers", { params: { path } })),
    refetchInterval: 10_000, // Ready changes as the operator buys and wires the line
  });
  // The agents to assign lines to; only developers assign, so only they load them.
  const agents = useQuery({
    queryKey: queryKeys.agents(workspace),
    queryFn: () => unwrap(api.GET("/api/v1/workspaces/{workspace}/agents", { params: { path } })),
    enabled: canManage,
  });
  const agentNames = agents.data?.map((agent) => agent.name) ?? [];

  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Phone numbers"
        description="Lines in this workspace, the agent that answers each, and whether it is ready to take calls."
        actions={canManage && lines.data && lines.data.length > 0 ? <CallDialog workspace={workspace} lines={lines.data} /> : null}
      />
      <section aria-labelledby="lines-title" className="flex flex-col gap-3">
        <h2 id="lines-title" className="text-lg font-semibold">
          Lines
        </h2>
        {lines.isPending ? <LoadingRows label="Loading lines" /> : null}
        {lines.isError ? <ErrorState error={lines.error} onRetry={() => lines.refetch()} /> : null}
        {lines.data?.length === 0 ? (
          <EmptyState title="No phone numbers yet">{canManage ? "Search below for a number to buy." : "A developer of this workspace can buy one."}</EmptyState>
        ) : null}
        {lines.data && lines.data.length > 0 ? (
          <ul aria-label="Phone numbers" className="flex flex-col divide-y rounded-lg border">
            {lines.data.map((line) => (
              <LineRow key={line.name} workspace={workspace} line={line} agents={agentNames} canManage={canManage} />
            ))}
          </ul>
        ) : null}
      </section>
      {canManage ? (
        <SearchPanel workspace={workspace} agents={agentNames} agentsError={agents.error} />
      ) : (
        <p className="text-sm text-muted-foreground">Developers and above can buy, assign and release numbers and place calls.</p>
      )}
    </div>
  );
}
