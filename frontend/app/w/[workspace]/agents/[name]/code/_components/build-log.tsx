"use client";

/** The build of the bundle the agent names: its state and the tail of its log. */

import { RefreshCwIcon } from "lucide-react";

import { EmptyState, ErrorState, LoadingRows } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ApiError } from "@/lib/api/errors";

import { useBuildLog, type AgentRef } from "./code-api";

const TONE = { Running: "warning", Succeeded: "success", Failed: "destructive" } as const;

export function BuildLogPanel({ agent, follow }: { agent: AgentRef; follow: boolean }) {
  const log = useBuildLog(agent, follow);
  const expected = log.error instanceof ApiError && (log.error.status === 404 || log.error.status === 409);
  return (
    <section aria-labelledby="build-heading" className="flex flex-col gap-3">
      <div className="flex items-center justify-between gap-2">
        <h2 id="build-heading" className="text-sm font-semibold">
          Build
        </h2>
        <Button size="sm" variant="outline" onClick={() => log.refetch()} disabled={log.isFetching}>
          <RefreshCwIcon aria-hidden /> Refresh
        </Button>
      </div>
      {log.isPending ? <LoadingRows rows={2} label="Loading the build log" /> : null}
      {expected ? (
        <div data-testid="build-log-empty">
          <EmptyState title="No build log to show">{log.error?.message}</EmptyState>
        </div>
      ) : null}
      {log.isError && !expected ? <ErrorState title="Could not read the build log" error={log.error} onRetry={() => log.refetch()} /> : null}
      {log.data ? (
        <div className="flex flex-col gap-2" data-testid="build-log">
          <p className="flex flex-wrap items-center gap-2 text-xs text-muted-foreground">
            <Badge variant={TONE[log.data.state as keyof typeof TONE] ?? "outline"}>{log.data.state}</Badge>
            <span className="break-all">Job {log.data.job}</span>
            {log.data.current ? null : <span>(an earlier bundle&apos;s build)</span>}
          </p>
          <pre
            tabIndex={0}
            aria-label="Build log"
            className="max-h-80 overflow-auto rounded-md border bg-muted p-3 font-mono text-xs whitespace-pre-wrap"
          >
            {log.data.lines.length ? log.data.lines.join("\n") : "The build has written nothing yet."}
          </pre>
        </div>
      ) : null}
    </section>
  );
}
