import { describe, expect, it } from "vitest";

import { latencySummary } from "./latency";

const turn = (index: number, endToEndMs: number) => ({ turn: index, endToEndMs });

describe("latency summary", () => {
  it("gives the median and the slowest turn", () => {
    expect(latencySummary([turn(0, 900), turn(1, 640), turn(2, 1210)])).toEqual({ medianMs: 900, slowestMs: 1210, slowestTurn: 2 });
  });

  it("takes the lower middle of an even count, as percentile_disc does", () => {
    expect(latencySummary([turn(0, 700), turn(1, 500)])?.medianMs).toBe(500);
  });

  it("is null without turns", () => {
    expect(latencySummary([])).toBeNull();
  });
});
