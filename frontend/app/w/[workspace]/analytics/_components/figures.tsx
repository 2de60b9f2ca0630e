import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import type { Analytics, AnalyticsGroup } from "@/lib/api/types";
import { formatDuration, formatMicros, formatMs } from "@/lib/calls/format";

/** A percentile as shown: "≈" before it, and a tooltip with the bound, when the API says it
 * may be off (by up to percentileRelativeError); exact ones are shown as they are. */
function Percentile({ value, exact, error }: { value: string; exact: boolean | undefined; error: number }) {
  if (exact !== false) return <>{value}</>;
  return (
    <span title={`Approximate: within ${Math.round(error * 100)}% of the exact value`}>
      ≈{value}
    </span>
  );
}

/** The range's totals as four figures. */
export function Totals({ data }: { data: Analytics }) {
  const { totals } = data;
  const median = formatDuration(totals.durationMs.p50);
  const figures = [
    { label: "Calls", value: totals.calls.toLocaleString() },
    { label: "Minutes", value: totals.minutes.toLocaleString() },
    { label: "Cost", value: formatMicros(totals.costMicros), note: totals.unpricedCalls > 0 ? `${totals.unpricedCalls} unpriced ${totals.unpricedCalls === 1 ? "call" : "calls"} not included` : undefined },
    { label: "Median call", value: <Percentile value={median} exact={totals.durationMs.exact} error={data.percentileRelativeError} />, note: totals.durationMs.p95 !== null && totals.durationMs.p95 !== undefined ? `p95 ${formatDuration(totals.durationMs.p95)}` : undefined },
  ];
  return (
    <dl className="grid grid-cols-2 gap-3 lg:grid-cols-4">
      {figures.map((f) => (
        <div key={f.label} className="flex flex-col gap-1 rounded-lg border bg-card p-4">
          <dt className="text-xs text-muted-foreground">{f.label}</dt>
          <dd className="text-2xl font-semibold tabular-nums" data-testid={`total-${f.label.toLowerCase().replace(" ", "-")}`}>
            {f.value}
          </dd>
          {f.note ? <dd className="text-xs text-muted-foreground">{f.note}</dd> : null}
        </div>
      ))}
    </dl>
  );
}

const STAGES = [
  ["endToEnd", "End to end"],
  ["stt", "Speech to text"],
  ["llm", "LLM first token"],
  ["tts", "Text to speech first byte"],
] as const;

/** Per-turn latency by stage over the range. */
export function LatencyTable({ data }: { data: Analytics }) {
  return (
    <Card aria-labelledby="latency-title">
      <CardHeader>
        <CardTitle id="latency-title">Latency per turn</CardTitle>
        <CardDescription>Every agent turn in the range, by stage.</CardDescription>
      </CardHeader>
      <table className="w-full text-sm">
        <thead className="text-left text-xs text-muted-foreground">
          <tr>
            <th scope="col" className="py-1 pr-3 font-medium">Stage</th>
            <th scope="col" className="py-1 pr-3 text-right font-medium">p50</th>
            <th scope="col" className="py-1 text-right font-medium">p95</th>
          </tr>
        </thead>
        <tbody className="tabular-nums">
          {STAGES.map(([key, label]) => (
            <tr key={key} className="border-t">
              <th scope="row" className="py-1 pr-3 text-left font-normal">{label}</th>
              <td className="py-1 pr-3 text-right">
                <Percentile value={formatMs(data.latencyMs[key].p50)} exact={data.latencyMs[key].exact} error={data.percentileRelativeError} />
              </td>
              <td className="py-1 text-right">
                <Percentile value={formatMs(data.latencyMs[key].p95)} exact={data.latencyMs[key].exact} error={data.percentileRelativeError} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}

/** Ended calls per end reason, most first. */
export function EndReasons({ data }: { data: Analytics }) {
  const reasons = Object.entries(data.endReasons).sort(([, a], [, b]) => b - a);
  const ended = reasons.reduce((sum, [, n]) => sum + n, 0);
  return (
    <Card aria-labelledby="reasons-title">
      <CardHeader>
        <CardTitle id="reasons-title">How calls ended</CardTitle>
      </CardHeader>
      {reasons.length === 0 ? (
        <p className="text-sm text-muted-foreground">No call ended in this range.</p>
      ) : (
        <ul className="flex flex-col gap-2 text-sm">
          {reasons.map(([reason, count]) => (
            <li key={reason} className="flex flex-col gap-1">
              <span className="flex justify-between gap-2">
                <span>{reason}</span>
                <span className="tabular-nums text-muted-foreground">
                  {count.toLocaleString()} · {Math.round((count / ended) * 100)}%
                </span>
              </span>
              <span className="h-1.5 rounded-full bg-muted" aria-hidden>
                <span className="block h-full rounded-full bg-primary" style={{ width: `${(count / ended) * 100}%` }} />
              </span>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

/** The by-agent figures as a table (the chart's data, readable by everyone). */
export function AgentTable({ groups, error }: { groups: AnalyticsGroup[]; error: number }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm">
        <caption className="sr-only">Calls by agent</caption>
        <thead className="text-left text-xs text-muted-foreground">
          <tr>
            <th scope="col" className="py-1 pr-3 font-medium">Agent</th>
            <th scope="col" className="py-1 pr-3 text-right font-medium">Calls</th>
            <th scope="col" className="py-1 pr-3 text-right font-medium">Minutes</th>
            <th scope="col" className="py-1 pr-3 text-right font-medium">Cost</th>
            <th scope="col" className="py-1 text-right font-medium">Median call</th>
          </tr>
        </thead>
        <tbody className="tabular-nums">
          {groups.map((g) => (
            <tr key={g.key} className="border-t">
              <th scope="row" className="py-1 pr-3 text-left font-normal">{g.key}</th>
              <td className="py-1 pr-3 text-right">{g.calls.toLocaleString()}</td>
              <td className="py-1 pr-3 text-right">{g.minutes.toLocaleString()}</td>
              <td className="py-1 pr-3 text-right">{formatMicros(g.costMicros)}</td>
              <td className="py-1 text-right">
                <Percentile value={formatDuration(g.durationMs.p50)} exact={g.durationMs.exact} error={error} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
