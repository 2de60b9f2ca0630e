/** The one-line summary of a call's per-turn latency. */

import type { TurnLatency } from "@/lib/api/types";

export interface LatencySummary {
  medianMs: number;
  slowestMs: number;
  slowestTurn: number;
}

/** Median (the lower middle, as PostgreSQL's percentile_disc) and slowest end-to-end turn. */
export function latencySummary(turns: readonly TurnLatency[]): LatencySummary | null {
  if (turns.length === 0) return null;
  const sorted = [...turns].sort((a, b) => a.endToEndMs - b.endToEndMs);
  const slowest = sorted[sorted.length - 1];
  return { medianMs: sorted[Math.ceil(sorted.length / 2) - 1].endToEndMs, slowestMs: slowest.endToEndMs, slowestTurn: slowest.turn };
}
