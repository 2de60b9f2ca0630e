"use client";

import { useQuery } from "@tanstack/react-query";
import { ArrowLeftIcon } from "lucide-react";
import Link from "next/link";
import { useParams } from "next/navigation";

import { ErrorState, LoadingRows, PageHeader } from "@/components/states";
import { Button } from "@/components/ui/button";
import { readiness } from "@/lib/agents/readiness";
import { api, unwrap } from "@/lib/api/client";
import { roleAllows } from "@/lib/api/types";
import { workspacePath } from "@/lib/nav";
import { queryKeys, useWorkspace } from "@/lib/queries";

import { ReadyBadge } from "../../_components/ready-badge";
import { TalkPanel } from "./_components/talk-panel";

/** Talk to an agent in the browser: the microphone, a live transcript, the agent's state and
 * each turn's latency. LiveKit's client loads only once a call starts. */
export default function TalkPage() {
  const { workspace, name } = useParams<{ workspace: string; name: string }>();
  const role = useWorkspace(workspace).data?.role;
  const agent = useQuery({
    queryKey: queryKeys.agent(workspace, name),
    queryFn: () => unwrap(api.GET("/api/v1/workspaces/{workspace}/agents/{name}", { params: { path: { workspace, name } } })),
  });
  const title = `Talk to ${agent.data?.spec.displayName || name}`;

  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title={title}
        description={
          agent.data ? (
            <span className="flex flex-wrap items-center gap-2">
              <ReadyBadge readiness={readiness(agent.data)} />
              <span>{readiness(agent.data).message}</span>
            </span>
          ) : undefined
        }
        actions={
          <Button asChild variant="outline" size="sm">
            <Link href={workspacePath(workspace, "agents", name)}>
              <ArrowLeftIcon aria-hidden />
              Back to the agent
            </Link>
          </Button>
        }
      />
      {agent.isPending ? <LoadingRows rows={3} label="Loading the agent" /> : null}
      {agent.isError ? <ErrorState error={agent.error} onRetry={() => agent.refetch()} /> : null}
      {agent.data ? <TalkPanel workspace={workspace} agent={name} canCall={role === undefined ? null : roleAllows(role, "developer")} /> : null}
    </div>
  );
}
