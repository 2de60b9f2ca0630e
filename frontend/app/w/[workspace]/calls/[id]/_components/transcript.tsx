import { EmptyState } from "@/components/states";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import type { CallDetail } from "@/lib/api/types";
import { formatDuration } from "@/lib/calls/format";
import { cn } from "@/lib/utils";

/** What was said, in order, each line at its offset from the start of the call. */
export function Transcript({ call }: { call: CallDetail }) {
  const start = Date.parse(call.startedAt);
  return (
    <Card aria-labelledby="transcript-title">
      <CardHeader>
        <CardTitle id="transcript-title">Transcript</CardTitle>
        <CardDescription>Final transcript segments, as the worker reported them.</CardDescription>
      </CardHeader>
      {call.transcript.length === 0 ? (
        <EmptyState title="Nothing was transcribed">{call.endedAt ? "The call ended before anyone spoke." : "Lines appear as the call goes on."}</EmptyState>
      ) : (
        <ol aria-label="Transcript" className="flex flex-col gap-3">
          {call.transcript.map((line) => {
            const agent = line.role === "agent";
            return (
              <li key={line.seq} className={cn("flex max-w-[85%] flex-col gap-0.5", agent ? "self-start" : "self-end items-end")}>
                <span className="text-xs text-muted-foreground">
                  {agent ? "Agent" : "Caller"} · <time dateTime={line.startedAt}>{formatDuration(Math.max(0, Date.parse(line.startedAt) - start))}</time>
                </span>
                <p className={cn("rounded-lg px-3 py-2 text-sm break-words", agent ? "bg-muted" : "bg-primary text-primary-foreground")}>{line.text}</p>
              </li>
            );
          })}
        </ol>
      )}
    </Card>
  );
}
