/** Analytics over time: the time range a preset stands for, and the API's per-day groups (only
 * days with calls) filled out to one point per UTC day, so charts show the quiet days as zero. */

import type { AnalyticsGroup } from "@/lib/api/types";

export const RANGE_DAYS = [7, 30, 90] as const;
export type RangeDays = (typeof RANGE_DAYS)[number];

const DAY_MS = 86_400_000;

/** The last `days` UTC days up to the end of today: [from, to). */
export function rangeFor(days: number, now: Date = new Date()): { from: string; to: string } {
  const endOfToday = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + DAY_MS;
  return { from: new Date(endOfToday - days * DAY_MS).toISOString(), to: new Date(endOfToday).toISOString() };
}

export interface DayPoint {
  day: string;
  calls: number;
  minutes: number;
  costMicros: number;
  p50DurationMs: number | null;
}

function zero(day: string): DayPoint {
  return { day, calls: 0, minutes: 0, costMicros: 0, p50DurationMs: null };
}

/** One point per UTC day in [from, to), from the groups the API returned (keys YYYY-MM-DD). */
export function fillDays(groups: AnalyticsGroup[], from: string, to: string): DayPoint[] {
  const byDay = new Map(groups.map((g) => [g.key, g]));
  const points: DayPoint[] = [];
  const start = Date.parse(from);
  const startDay = Date.UTC(new Date(start).getUTCFullYear(), new Date(start).getUTCMonth(), new Date(start).getUTCDate());
  for (let t = startDay; t < Date.parse(to); t += DAY_MS) {
    const day = new Date(t).toISOString().slice(0, 10);
    const group = byDay.get(day);
    points.push(group ? { day, calls: group.calls, minutes: group.minutes, costMicros: group.costMicros, p50DurationMs: group.durationMs.p50 ?? null } : zero(day));
  }
  return points;
}

/** Agents by calls, most first (the by-agent charts and table). */
export function byCalls(groups: AnalyticsGroup[]): AnalyticsGroup[] {
  return [...groups].sort((a, b) => b.calls - a.calls || a.key.localeCompare(b.key));
}

/** "Nov 3" for a YYYY-MM-DD UTC day (chart axes). */
export function shortDay(day: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
}
