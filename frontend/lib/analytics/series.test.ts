import { describe, expect, it } from "vitest";

import type { AnalyticsGroup } from "@/lib/api/types";

import { byCalls, fillDays, rangeFor, shortDay } from "./series";

const group = (key: string, calls: number): AnalyticsGroup => ({
  key,
  calls,
  minutes: calls * 2,
  totalDurationMs: calls * 120_000,
  costMicros: calls * 1000,
  unpricedCalls: 0,
  durationMs: { p50: 120_000, p90: null, p95: null, p99: null },
});

describe("analytics series", () => {
  it("covers whole UTC days up to the end of today", () => {
    const range = rangeFor(7, new Date("2026-12-02T03:10:00Z"));
    expect(range).toEqual({ from: "2026-11-26T00:00:00.000Z", to: "2026-12-03T00:00:00.000Z" });
  });

  it("fills the quiet days with zeros, one point per day", () => {
    const points = fillDays([group("2026-11-27", 3), group("2026-11-30", 1)], "2026-11-26T00:00:00.000Z", "2026-12-01T00:00:00.000Z");
    expect(points.map((p) => [p.day, p.calls])).toEqual([
      ["2026-11-26", 0],
      ["2026-11-27", 3],
      ["2026-11-28", 0],
      ["2026-11-29", 0],
      ["2026-11-30", 1],
    ]);
    expect(points[1]).toEqual({ day: "2026-11-27", calls: 3, minutes: 6, costMicros: 3000, p50DurationMs: 120_000 });
    expect(points[0].p50DurationMs).toBeNull();
  });

  it("starts at the day of a from that is not midnight", () => {
    expect(fillDays([], "2026-11-26T15:00:00Z", "2026-11-28T00:00:00Z").map((p) => p.day)).toEqual(["2026-11-26", "2026-11-27"]);
  });

  it("orders agents by calls", () => {
    expect(byCalls([group("b", 1), group("a", 5), group("c", 1)]).map((g) => g.key)).toEqual(["a", "b", "c"]);
  });

  it("labels days for an axis", () => {
    expect(shortDay("2026-11-03")).toBe("Nov 3");
  });
});
