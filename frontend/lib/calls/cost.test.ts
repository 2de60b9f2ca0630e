import { describe, expect, it } from "vitest";

import { analysisRows, parseCost, sortedLines } from "./cost";

const breakdown = {
  version: "2026-11-01",
  currency: "USD",
  status: "unpriced",
  totalMicros: null,
  pricedMicros: 25_310,
  unpricedItems: ["acme/x/llm_input_tokens"],
  lines: [
    { item: "openai/gpt-4o-mini/llm_input_tokens", quantity: 5210, unitMicros: 150_000, per: 1_000_000, micros: 782, status: "priced", source: "catalogue" },
    { item: "acme/x/llm_input_tokens", quantity: 9, unitMicros: null, per: null, micros: null, status: "unpriced", source: "unpriced" },
    { item: "livekit/room/participant_ms", quantity: 360_000, unitMicros: 400, per: 60_000, micros: 24_528, status: "priced", source: "override" },
  ],
};

describe("cost breakdown", () => {
  it("reads the API's breakdown", () => {
    const parsed = parseCost(breakdown);
    expect(parsed.kind).toBe("breakdown");
    if (parsed.kind !== "breakdown") return;
    expect(sortedLines(parsed.cost).map((l) => l.item)).toEqual(["livekit/room/participant_ms", "openai/gpt-4o-mini/llm_input_tokens", "acme/x/llm_input_tokens"]);
  });

  it("is none before the call is priced", () => {
    expect(parseCost(null)).toEqual({ kind: "none" });
  });

  it("names what it cannot read rather than showing wrong figures", () => {
    const parsed = parseCost({ ...breakdown, lines: [{ ...breakdown.lines[0], micros: "782" }] });
    expect(parsed).toEqual({ kind: "unreadable", problem: expect.stringMatching(/^lines\.0\.micros: /) });
  });
});

describe("analysis rows", () => {
  it("writes scalars as text and the rest as JSON, by key", () => {
    expect(analysisRows({ summary: "Booked a table", booked: true, party: 2, slots: ["7pm"], empty: null })).toEqual([
      { key: "booked", value: "true", structured: false },
      { key: "empty", value: "—", structured: false },
      { key: "party", value: "2", structured: false },
      { key: "slots", value: '[\n  "7pm"\n]', structured: true },
      { key: "summary", value: "Booked a table", structured: false },
    ]);
    expect(analysisRows(null)).toEqual([]);
  });
});
