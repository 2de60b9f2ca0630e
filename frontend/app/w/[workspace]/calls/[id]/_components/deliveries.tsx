"use client";

import { useQuery } from "@tanstack/react-query";

import { EmptyState, ErrorState, LoadingRows } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { api, unwrap } from "@/lib/api/client";
import type { DeliveryLogEntry } from "@/lib/api/types";
import { formatMs } from "@/lib/calls/format";
import { queryKeys } from "@/lib/queries";

const STATE_VARIANT: Record<string, "success" | "destructive" | "secondary"> = { Delivered: "success", Failed: "destructive" };

function Entry({ entry }: { entry: DeliveryLogEntry }) {
  return (
    <li className="flex flex-col gap-2 py-3 first:pt-0 last:pb-0">
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-medium">{entry.eventType}</span>
        <span className="text-sm text-muted-foreground">to {entry.webhook}</span>
        <Badge variant={STATE_VARIANT[entry.state] ?? "secondary"}>{entry.state}</Badge>
        <span className="font-mono text-xs break-all text-muted-foreground">{entry.messageId}</span>
      </div>
      {entry.attempts.length > 0 ? (
        <ol aria-label={`Attempts for ${entry.eventType} to ${entry.webhook}`} className="flex flex-col gap-1 text-xs">
          {entry.attempts.map((attempt, index) => (
            <li key={attempt.attemptedAt + index} className="flex flex-wrap gap-x-3 gap-y-0.5">
              <time dateTime={attempt.attemptedAt} className="text-muted-foreground">
                {new Date(attempt.attemptedAt).toLocaleTimeString()}
              </time>
              <span className="font-medium">{attempt.outcome}</span>
              {attempt.statusCode !== null ? <span>HTTP {attempt.statusCode}</span> : null}
              <span className="text-muted-foreground">{formatMs(attempt.latencyMs)}</span>
              {attempt.error ? <span className="text-destructive">{attempt.error}</span> : null}
            </li>
          ))}
        </ol>
      ) : (
        <p className="text-xs text-muted-foreground">Not attempted yet.</p>
      )}
    </li>
  );
}

/** What the agent's webhooks were sent about this call, attempt by attempt (developers and up:
 * the API's own rule for the delivery log). */
export function WebhookDeliveries({ workspace, sessionId, allowed }: { workspace: string; sessionId: string; allowed: boolean }) {
  const deliveries = useQuery({
    queryKey: queryKeys.callDeliveries(workspace, sessionId),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace}/sessions/{session_id}/webhook-deliveries", {
          params: { path: { workspace, session_id: sessionId } },
        }),
      ),
    enabled: allowed,
  });
  return (
    <Card aria-labelledby="deliveries-title">
      <CardHeader>
        <CardTitle id="deliveries-title">Webhook deliveries</CardTitle>
        <CardDescription>Events about this call sent to the agent&apos;s webhooks, with every attempt.</CardDescription>
      </CardHeader>
      {!allowed ? <p className="text-sm text-muted-foreground">Developers, admins and owners of this workspace see webhook deliveries.</p> : null}
      {allowed && deliveries.isPending ? <LoadingRows rows={2} label="Loading webhook deliveries" /> : null}
      {deliveries.isError ? <ErrorState error={deliveries.error} onRetry={() => deliveries.refetch()} /> : null}
      {deliveries.data?.items.length === 0 ? <EmptyState title="No webhook deliveries for this call">The agent had no webhook for its events, or none has been sent yet.</EmptyState> : null}
      {deliveries.data && deliveries.data.items.length > 0 ? (
        <ul aria-label="Webhook deliveries" className="flex flex-col divide-y">
          {deliveries.data.items.map((entry) => (
            <Entry key={entry.messageId} entry={entry} />
          ))}
        </ul>
      ) : null}
    </Card>
  );
}
