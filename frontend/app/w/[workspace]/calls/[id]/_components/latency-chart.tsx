"use client";

import { GridRows } from "@visx/grid";
import { Group } from "@visx/group";
import { scaleBand, scaleLinear } from "@visx/scale";
import { LinePath } from "@visx/shape";

import { BandAxis, LinearAxis } from "@/components/charts/axes";
import { AXIS_STROKE, ChartFrame, type Series } from "@/components/charts/frame";
import type { TurnLatency } from "@/lib/api/types";
import { formatMs } from "@/lib/calls/format";

const STAGES: (Series & { key: "stt" | "llm" | "tts" })[] = [
  { key: "stt", label: "STT", color: "var(--chart-1)" },
  { key: "llm", label: "LLM", color: "var(--chart-2)" },
  { key: "tts", label: "TTS", color: "var(--chart-3)" },
];
const END_TO_END: Series = { key: "endToEnd", label: "End to end", color: "var(--chart-4)", line: true };
const MARGIN = { top: 8, right: 8, bottom: 24, left: 64 };

/** Per-turn latency: speech-to-text, LLM and text-to-speech stacked, end to end as a line. */
export default function LatencyChart({ turns }: { turns: TurnLatency[] }) {
  const rows = turns.map((t) => ({ turn: `#${t.turn}`, stt: t.sttMs ?? 0, llm: t.llmMs ?? 0, tts: t.ttsMs ?? 0, endToEnd: t.endToEndMs }));
  return (
    <ChartFrame name="latency" height={232} legend={[END_TO_END, ...STAGES]}>
      {({ width, height }) => {
        const innerWidth = width - MARGIN.left - MARGIN.right;
        const innerHeight = height - MARGIN.top - MARGIN.bottom;
        const x = scaleBand({ domain: rows.map((r) => r.turn), range: [0, innerWidth], padding: 0.2 });
        const top = Math.max(1, ...rows.map((r) => Math.max(r.stt + r.llm + r.tts, r.endToEnd ?? 0)));
        const y = scaleLinear({ domain: [0, top], range: [innerHeight, 0], nice: true });
        const centre = (turn: string) => (x(turn) ?? 0) + x.bandwidth() / 2;
        return (
          <svg width={width} height={height}>
            <Group left={MARGIN.left} top={MARGIN.top}>
              <GridRows scale={y} width={innerWidth} stroke={AXIS_STROKE} numTicks={5} />
              {rows.map((r) => {
                let base = 0;
                return (
                  <g key={r.turn}>
                    {STAGES.map((stage) => {
                      const value = r[stage.key];
                      const y0 = y(base);
                      base += value;
                      return (
                        <rect key={stage.key} x={x(r.turn)} y={y(base)} width={x.bandwidth()} height={Math.max(0, y0 - y(base))} fill={stage.color}>
                          <title>{`${r.turn} ${stage.label}: ${formatMs(value)}`}</title>
                        </rect>
                      );
                    })}
                  </g>
                );
              })}
              <LinePath data={rows.filter((r) => r.endToEnd != null)} x={(r) => centre(r.turn)} y={(r) => y(r.endToEnd ?? 0)} stroke={END_TO_END.color} strokeWidth={2} />
              {rows.map((r) =>
                r.endToEnd != null ? (
                  <circle key={r.turn} cx={centre(r.turn)} cy={y(r.endToEnd)} r={3.5} fill="var(--background)" stroke={END_TO_END.color} strokeWidth={2}>
                    <title>{`${r.turn} end to end: ${formatMs(r.endToEnd)}`}</title>
                  </circle>
                ) : null,
              )}
              <LinearAxis side="left" scale={y} format={(v) => `${v.toLocaleString()} ms`} />
              <BandAxis side="bottom" scale={x} offset={innerHeight} />
            </Group>
          </svg>
        );
      }}
    </ChartFrame>
  );
}
