"use client";

import dynamic from "next/dynamic";

import { EmptyState } from "@/components/states";
import { Skeleton } from "@/components/ui/skeleton";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import type { CallDetail } from "@/lib/api/types";
import { formatMs } from "@/lib/calls/format";
import { latencySummary } from "@/lib/calls/latency";

// The chart (visx) loads with it, after the transcript has painted.
const LatencyChart = dynamic(() => import("./latency-chart"), { ssr: false, loading: () => <Skeleton className="h-64 w-full" /> });

/** Per-turn latency as a chart (for the eye) and a table (for everyone, screen readers too). */
export function Latency({ call }: { call: CallDetail }) {
  const summary = latencySummary(call.turns);
  return (
    <Card aria-labelledby="latency-title">
      <CardHeader>
        <CardTitle id="latency-title">Latency per turn</CardTitle>
        <CardDescription>
          {summary
            ? `End of the caller's speech to the agent's first audio: median ${formatMs(summary.medianMs)}, slowest ${formatMs(summary.slowestMs)} (turn ${summary.slowestTurn}).`
            : "End of the caller's speech to the agent's first audio."}
        </CardDescription>
      </CardHeader>
      {call.turns.length === 0 ? (
        <EmptyState title="No turns measured" />
      ) : (
        <>
          <LatencyChart turns={call.turns} />
          <details>
            <summary className="cursor-pointer text-sm font-medium">Latency table</summary>
            <div className="mt-2 overflow-x-auto">
              <table className="w-full text-sm">
                <thead className="text-left text-xs text-muted-foreground">
                  <tr>
                    <th scope="col" className="py-1 pr-3 font-medium">Turn</th>
                    <th scope="col" className="py-1 pr-3 font-medium">STT</th>
                    <th scope="col" className="py-1 pr-3 font-medium">LLM</th>
                    <th scope="col" className="py-1 pr-3 font-medium">TTS</th>
                    <th scope="col" className="py-1 font-medium">End to end</th>
                  </tr>
                </thead>
                <tbody className="tabular-nums">
                  {call.turns.map((t) => (
                    <tr key={t.turn} className="border-t">
                      <th scope="row" className="py-1 pr-3 text-left font-normal">{t.turn}</th>
                      <td className="py-1 pr-3">{formatMs(t.sttMs)}</td>
                      <td className="py-1 pr-3">{formatMs(t.llmMs)}</td>
                      <td className="py-1 pr-3">{formatMs(t.ttsMs)}</td>
                      <td className="py-1">{formatMs(t.endToEndMs)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
    </Card>
  );
}
