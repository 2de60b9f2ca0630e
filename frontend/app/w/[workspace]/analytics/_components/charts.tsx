"use client";

/** The analytics charts (visx on d3 scales, SVG): calls and minutes per day, cost per day, and
 * calls and minutes per agent. The page shows the same figures as tables. */

import { GridColumns, GridRows } from "@visx/grid";
import { Group } from "@visx/group";
import { scaleBand, scaleLinear } from "@visx/scale";
import { LinePath } from "@visx/shape";

import { BandAxis, LinearAxis } from "@/components/charts/axes";
import { AXIS_STROKE, ChartFrame, everyNth, type Series } from "@/components/charts/frame";
import type { AnalyticsGroup } from "@/lib/api/types";
import { formatMicros } from "@/lib/calls/format";
import { shortDay, type DayPoint } from "@/lib/analytics/series";

const CALLS: Series = { key: "calls", label: "Calls", color: "var(--chart-1)" };
const MINUTES: Series = { key: "minutes", label: "Minutes", color: "var(--chart-2)", line: true };
const MINUTES_BAR: Series = { ...MINUTES, line: false };
const HEIGHT = 216;

/** Whole-number ticks for counts (no "0.5 calls"). */
function countTicks(top: number): number {
  return Math.max(1, Math.min(5, top));
}

function dayAxis(points: DayPoint[], innerWidth: number) {
  const x = scaleBand({ domain: points.map((p) => p.day), range: [0, innerWidth], padding: 0.2 });
  return { x, ticks: everyNth(x.domain(), x.step(), 56) };
}

/** Calls (bars, left axis) and minutes (line, right axis) per day. */
export function CallsOverTime({ points }: { points: DayPoint[] }) {
  const margin = { top: 8, right: 36, bottom: 24, left: 36 };
  return (
    <ChartFrame name="calls-per-day" height={HEIGHT} legend={[CALLS, MINUTES]}>
      {({ width, height }) => {
        const innerWidth = width - margin.left - margin.right;
        const innerHeight = height - margin.top - margin.bottom;
        const { x, ticks } = dayAxis(points, innerWidth);
        const topCalls = Math.max(1, ...points.map((p) => p.calls));
        const topMinutes = Math.max(1, ...points.map((p) => p.minutes));
        const yCalls = scaleLinear({ domain: [0, topCalls], range: [innerHeight, 0], nice: true });
        const yMinutes = scaleLinear({ domain: [0, topMinutes], range: [innerHeight, 0], nice: true });
        return (
          <svg width={width} height={height}>
            <Group left={margin.left} top={margin.top}>
              <GridRows scale={yCalls} width={innerWidth} stroke={AXIS_STROKE} numTicks={countTicks(topCalls)} />
              {points.map((p) => (
                <rect key={p.day} x={x(p.day)} y={yCalls(p.calls)} width={x.bandwidth()} height={innerHeight - yCalls(p.calls)} fill={CALLS.color}>
                  <title>{`${shortDay(p.day)}: ${p.calls} calls, ${p.minutes} minutes`}</title>
                </rect>
              ))}
              <LinePath data={points} x={(p) => (x(p.day) ?? 0) + x.bandwidth() / 2} y={(p) => yMinutes(p.minutes)} stroke={MINUTES.color} strokeWidth={2} />
              <LinearAxis side="left" scale={yCalls} count={countTicks(topCalls)} integers />
              <LinearAxis side="right" scale={yMinutes} offset={innerWidth} count={countTicks(topMinutes)} integers />
              <BandAxis side="bottom" scale={x} offset={innerHeight} values={ticks} format={shortDay} />
            </Group>
          </svg>
        );
      }}
    </ChartFrame>
  );
}

/** Cost of the priced calls per day. */
export function CostOverTime({ points, currency }: { points: DayPoint[]; currency: string }) {
  const margin = { top: 8, right: 8, bottom: 24, left: 72 };
  return (
    <ChartFrame name="cost-per-day" height={HEIGHT}>
      {({ width, height }) => {
        const innerWidth = width - margin.left - margin.right;
        const innerHeight = height - margin.top - margin.bottom;
        const { x, ticks } = dayAxis(points, innerWidth);
        const y = scaleLinear({ domain: [0, Math.max(1, ...points.map((p) => p.costMicros))], range: [innerHeight, 0], nice: true });
        return (
          <svg width={width} height={height}>
            <Group left={margin.left} top={margin.top}>
              <GridRows scale={y} width={innerWidth} stroke={AXIS_STROKE} numTicks={4} />
              {points.map((p) => (
                <rect key={p.day} x={x(p.day)} y={y(p.costMicros)} width={x.bandwidth()} height={innerHeight - y(p.costMicros)} fill="var(--chart-3)">
                  <title>{`${shortDay(p.day)}: ${formatMicros(p.costMicros, currency)}`}</title>
                </rect>
              ))}
              <LinearAxis side="left" scale={y} count={4} format={(v) => formatMicros(v, currency)} />
              <BandAxis side="bottom" scale={x} offset={innerHeight} values={ticks} format={shortDay} />
            </Group>
          </svg>
        );
      }}
    </ChartFrame>
  );
}

/** Calls and minutes per agent, most called first, as horizontal bars. */
export function ByAgent({ groups }: { groups: AnalyticsGroup[] }) {
  const margin = { top: 0, right: 8, bottom: 24, left: 104 };
  const series = [CALLS, MINUTES_BAR] as const;
  return (
    <ChartFrame name="by-agent" height={Math.max(120, groups.length * 36 + 32)} legend={[...series]}>
      {({ width, height }) => {
        const innerWidth = width - margin.left - margin.right;
        const innerHeight = height - margin.top - margin.bottom;
        const y = scaleBand({ domain: groups.map((g) => g.key), range: [0, innerHeight], padding: 0.25 });
        const inner = scaleBand({ domain: series.map((s) => s.key), range: [0, y.bandwidth()], padding: 0.1 });
        const top = Math.max(1, ...groups.map((g) => Math.max(g.calls, g.minutes)));
        const x = scaleLinear({ domain: [0, top], range: [0, innerWidth], nice: true });
        return (
          <svg width={width} height={height}>
            <Group left={margin.left} top={margin.top}>
              <GridColumns scale={x} height={innerHeight} stroke={AXIS_STROKE} numTicks={countTicks(top)} />
              {groups.map((g) => (
                <Group key={g.key} top={y(g.key)}>
                  {series.map((s) => (
                    <rect key={s.key} y={inner(s.key)} height={inner.bandwidth()} width={x(g[s.key as "calls" | "minutes"])} fill={s.color}>
                      <title>{`${g.key}: ${g[s.key as "calls" | "minutes"]} ${s.label.toLowerCase()}`}</title>
                    </rect>
                  ))}
                </Group>
              ))}
              <BandAxis side="left" scale={y} format={(name) => (name.length > 14 ? `${name.slice(0, 13)}…` : name)} />
              <LinearAxis side="bottom" scale={x} offset={innerHeight} count={countTicks(top)} integers />
            </Group>
          </svg>
        );
      }}
    </ChartFrame>
  );
}
