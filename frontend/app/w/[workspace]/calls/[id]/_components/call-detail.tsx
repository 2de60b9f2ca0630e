"use client";

import { useQuery } from "@tanstack/react-query";
import { ArrowLeftIcon } from "lucide-react";
import Link from "next/link";
import { useParams } from "next/navigation";
import type { ReactNode } from "react";

import { LocalDateTime } from "@/components/local-time";
import { ErrorState, LoadingRows, PageHeader } from "@/components/states";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import { api, unwrap } from "@/lib/api/client";
import { roleAllows, type CallDetail } from "@/lib/api/types";
import { formatDuration, formatMicros } from "@/lib/calls/format";
import { workspacePath } from "@/lib/nav";
import { queryKeys, useWorkspace } from "@/lib/queries";

import { CallStatusBadge } from "../../_components/call-status";
import { Analysis } from "./analysis";
import { CostBreakdownCard } from "./cost-breakdown";
import { WebhookDeliveries } from "./deliveries";
import { Latency } from "./latency";
import { ToolCalls } from "./tool-calls";
import { Transcript } from "./transcript";

function Facts({ call }: { call: CallDetail }) {
  const facts: [string, ReactNode][] = [
    ["Started", <LocalDateTime key="started" iso={call.startedAt} />],
    ["Duration", call.endedAt ? formatDuration(call.durationMs) : "in progress"],
    ["Cost", call.costStatus === "unpriced" ? "unpriced" : formatMicros(call.costMicros)],
    ["Direction", call.direction],
  ];
  if (call.caller) facts.push(["Caller", call.caller]);
  if (call.callee) facts.push(["Callee", call.callee]);
  facts.push(["Room", call.room]);
  for (const [name, value] of Object.entries(call.variables ?? {})) facts.push([`{{${name}}}`, value]);
  return (
    <Card>
      <dl className="grid grid-cols-2 gap-x-4 gap-y-3 text-sm sm:grid-cols-4">
        {facts.map(([label, value]) => (
          <div key={label} className="flex min-w-0 flex-col">
            <dt className="text-xs text-muted-foreground">{label}</dt>
            <dd className="truncate font-medium tabular-nums" title={typeof value === "string" ? value : undefined}>
              {value}
            </dd>
          </div>
        ))}
      </dl>
    </Card>
  );
}

/** A call's detail: facts, transcript, tool calls, latency, cost, analysis and webhook
 * deliveries. The page prefetched the call on the server, so this first renders with it. */
export function CallDetailView() {
  const { workspace, id } = useParams<{ workspace: string; id: string }>();
  const role = useWorkspace(workspace).data?.role ?? "viewer";
  const call = useQuery({
    queryKey: queryKeys.call(workspace, id),
    queryFn: () => unwrap(api.GET("/api/v1/workspaces/{workspace}/sessions/{session_id}", { params: { path: { workspace, session_id: id } } })),
    // A live call's transcript and usage grow; an ended one no longer changes.
    refetchInterval: (query) => (query.state.data && !query.state.data.endedAt ? 5_000 : false),
  });
  const data = call.data;

  return (
    <div className="flex flex-col gap-6">
      <Link href={workspacePath(workspace, "calls")} className="inline-flex items-center gap-1 self-start rounded-sm text-sm text-muted-foreground outline-none hover:text-foreground focus-visible:ring-2 focus-visible:ring-ring">
        <ArrowLeftIcon className="size-4" aria-hidden /> Call logs
      </Link>
      <PageHeader
        title={data ? `Call to ${data.agent}` : "Call"}
        description={
          data ? (
            <span className="flex flex-wrap items-center gap-2">
              <CallStatusBadge call={data} />
              <span className="font-mono text-xs break-all">{data.id}</span>
            </span>
          ) : undefined
        }
      />
      {call.isPending ? <LoadingRows rows={6} label="Loading the call" /> : null}
      {call.isError ? <ErrorState error={call.error} onRetry={() => call.refetch()} /> : null}
      {data ? (
        <>
          {data.error ? (
            <Alert variant="destructive">
              <AlertTitle>The call ended with an error</AlertTitle>
              <AlertDescription>{data.error}</AlertDescription>
            </Alert>
          ) : null}
          <Facts call={data} />
          <div className="grid gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
            <div className="flex min-w-0 flex-col gap-6">
              <Transcript call={data} />
              <ToolCalls call={data} />
            </div>
            <div className="flex min-w-0 flex-col gap-6">
              <Latency call={data} />
              <CostBreakdownCard call={data} />
              {data.analysis ? <Analysis analysis={data.analysis} /> : null}
            </div>
          </div>
          <WebhookDeliveries workspace={workspace} sessionId={data.id} allowed={roleAllows(role, "developer")} />
        </>
      ) : null}
    </div>
  );
}
