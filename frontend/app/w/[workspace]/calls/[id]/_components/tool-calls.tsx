import { Badge } from "@/components/ui/badge";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import type { CallDetail } from "@/lib/api/types";
import { formatDuration, formatMs } from "@/lib/calls/format";

function Json({ label, value }: { label: string; value: unknown }) {
  const text = typeof value === "string" ? value : JSON.stringify(value, null, 2);
  return (
    <div className="flex min-w-0 flex-col gap-1">
      <span className="text-xs font-medium text-muted-foreground">{label}</span>
      <pre tabIndex={0} className="max-h-48 overflow-auto rounded-md bg-muted p-2 text-xs outline-none focus-visible:ring-2 focus-visible:ring-ring">
        {text}
      </pre>
    </div>
  );
}

/** The tools the agent called, with what it sent and got back (secret-looking values are
 * already redacted by the API). */
export function ToolCalls({ call }: { call: CallDetail }) {
  if (call.toolCalls.length === 0) return null;
  const start = Date.parse(call.startedAt);
  return (
    <Card aria-labelledby="tools-title">
      <CardHeader>
        <CardTitle id="tools-title">Tool calls</CardTitle>
        <CardDescription>Secret-looking values are redacted.</CardDescription>
      </CardHeader>
      <ol aria-label="Tool calls" className="flex flex-col divide-y">
        {call.toolCalls.map((tool) => (
          <li key={tool.seq} className="flex flex-col gap-2 py-3 first:pt-0 last:pb-0">
            <div className="flex flex-wrap items-center gap-2">
              <span className="font-mono text-sm font-medium">{tool.name}</span>
              {tool.error ? <Badge variant="destructive">failed</Badge> : <Badge variant="success">ok</Badge>}
              <span className="text-xs text-muted-foreground">
                at {formatDuration(Math.max(0, Date.parse(tool.at) - start))} · took {formatMs(tool.durationMs)}
              </span>
            </div>
            <div className="grid gap-2 md:grid-cols-2">
              <Json label="Arguments" value={tool.arguments} />
              {tool.error ? <Json label="Error" value={tool.error} /> : <Json label="Result" value={tool.result ?? null} />}
            </div>
          </li>
        ))}
      </ol>
    </Card>
  );
}
