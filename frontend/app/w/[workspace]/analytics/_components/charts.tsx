"use client";

import type { ReactElement } from "react";
import { Bar, BarChart, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

import type { AnalyticsGroup } from "@/lib/api/types";
import { formatMicros } from "@/lib/calls/format";
import { shortDay, type DayPoint } from "@/lib/analytics/series";

const AXIS = { fill: "var(--muted-foreground)", fontSize: 12 };
const TOOLTIP = { background: "var(--popover)", color: "var(--popover-foreground)", borderColor: "var(--border)", fontSize: 12 };

function Frame({ children }: { children: ReactElement }) {
  return (
    <div className="h-60 w-full" aria-hidden>
      <ResponsiveContainer width="100%" height="100%">
        {children}
      </ResponsiveContainer>
    </div>
  );
}

/** Calls (bars) and minutes (line) per day. */
export function CallsOverTime({ points }: { points: DayPoint[] }) {
  return (
    <Frame>
      <ComposedChart data={points} margin={{ top: 8, right: 0, bottom: 0, left: -16 }} accessibilityLayer={false}>
        <CartesianGrid stroke="var(--border)" vertical={false} />
        <XAxis dataKey="day" tickFormatter={shortDay} tick={AXIS} stroke="var(--border)" minTickGap={16} />
        <YAxis yAxisId="calls" tick={AXIS} stroke="var(--border)" allowDecimals={false} />
        <YAxis yAxisId="minutes" orientation="right" tick={AXIS} stroke="var(--border)" allowDecimals={false} />
        <Tooltip contentStyle={TOOLTIP} labelFormatter={(day) => shortDay(String(day))} cursor={{ fill: "var(--muted)" }} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Bar yAxisId="calls" dataKey="calls" name="Calls" fill="var(--chart-1)" isAnimationActive={false} />
        <Line yAxisId="minutes" dataKey="minutes" name="Minutes" stroke="var(--chart-2)" strokeWidth={2} dot={false} isAnimationActive={false} />
      </ComposedChart>
    </Frame>
  );
}

/** Cost of the priced calls per day. */
export function CostOverTime({ points, currency }: { points: DayPoint[]; currency: string }) {
  return (
    <Frame>
      <BarChart data={points} margin={{ top: 8, right: 0, bottom: 0, left: 8 }} accessibilityLayer={false}>
        <CartesianGrid stroke="var(--border)" vertical={false} />
        <XAxis dataKey="day" tickFormatter={shortDay} tick={AXIS} stroke="var(--border)" minTickGap={16} />
        <YAxis tick={AXIS} stroke="var(--border)" tickFormatter={(micros: number) => formatMicros(micros, currency)} width={72} />
        <Tooltip contentStyle={TOOLTIP} labelFormatter={(day) => shortDay(String(day))} formatter={(micros) => formatMicros(Number(micros), currency)} cursor={{ fill: "var(--muted)" }} />
        <Bar dataKey="costMicros" name="Cost" fill="var(--chart-3)" isAnimationActive={false} />
      </BarChart>
    </Frame>
  );
}

/** Calls and minutes per agent, most called first. */
export function ByAgent({ groups }: { groups: AnalyticsGroup[] }) {
  return (
    <div className="w-full" style={{ height: Math.max(120, groups.length * 36 + 48) }} aria-hidden>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={groups} layout="vertical" margin={{ top: 0, right: 8, bottom: 0, left: 0 }} accessibilityLayer={false}>
          <CartesianGrid stroke="var(--border)" horizontal={false} />
          <XAxis type="number" tick={AXIS} stroke="var(--border)" allowDecimals={false} />
          <YAxis type="category" dataKey="key" tick={AXIS} stroke="var(--border)" width={96} />
          <Tooltip contentStyle={TOOLTIP} cursor={{ fill: "var(--muted)" }} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Bar dataKey="calls" name="Calls" fill="var(--chart-1)" isAnimationActive={false} />
          <Bar dataKey="minutes" name="Minutes" fill="var(--chart-2)" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
