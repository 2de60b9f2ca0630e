"use client";

import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

import type { TurnLatency } from "@/lib/api/types";

const AXIS = { fill: "var(--muted-foreground)", fontSize: 12 };

/** Per-turn latency: speech-to-text, LLM and text-to-speech stacked, end to end as a line. */
export default function LatencyChart({ turns }: { turns: TurnLatency[] }) {
  const data = turns.map((t) => ({ turn: `#${t.turn}`, stt: t.sttMs ?? 0, llm: t.llmMs ?? 0, tts: t.ttsMs ?? 0, endToEnd: t.endToEndMs }));
  return (
    <div className="h-64 w-full" aria-hidden>
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -8 }} accessibilityLayer={false}>
          <CartesianGrid stroke="var(--border)" vertical={false} />
          <XAxis dataKey="turn" tick={AXIS} stroke="var(--border)" />
          <YAxis tick={AXIS} stroke="var(--border)" unit=" ms" width={64} />
          <Tooltip contentStyle={{ background: "var(--popover)", color: "var(--popover-foreground)", borderColor: "var(--border)", fontSize: 12 }} cursor={{ fill: "var(--muted)" }} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Bar dataKey="stt" name="STT" stackId="stages" fill="var(--chart-1)" isAnimationActive={false} />
          <Bar dataKey="llm" name="LLM" stackId="stages" fill="var(--chart-2)" isAnimationActive={false} />
          <Bar dataKey="tts" name="TTS" stackId="stages" fill="var(--chart-3)" isAnimationActive={false} />
          <Line dataKey="endToEnd" name="End to end" stroke="var(--chart-4)" strokeWidth={2} dot isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
