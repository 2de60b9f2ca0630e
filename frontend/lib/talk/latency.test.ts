import { describe, expect, it } from "vitest";

import { latencyOverview, turnLatencies, type SpeechEvent } from "./latency";

describe("turn latencies", () => {
  it("measures from the end of the caller's speech to the start of the agent's reply", () => {
    const events: SpeechEvent[] = [
      { kind: "agent-started", at: 500 }, // the greeting: no turn
      { kind: "you-started", at: 4000 },
      { kind: "you-stopped", at: 5200 },
      { kind: "agent-started", at: 6050 },
      { kind: "you-started", at: 9000 },
      { kind: "you-stopped", at: 10000 },
      { kind: "agent-started", at: 10700.4 },
    ];
    expect(turnLatencies(events)).toEqual([
      { turn: 1, ms: 850 },
      { turn: 2, ms: 700 },
    ]);
  });

  it("counts from the last pause when the caller spoke again before the agent answered", () => {
    const events: SpeechEvent[] = [
      { kind: "you-started", at: 1000 },
      { kind: "you-stopped", at: 2000 },
      { kind: "you-started", at: 2300 },
      { kind: "you-stopped", at: 3000 },
      { kind: "agent-started", at: 3900 },
    ];
    expect(turnLatencies(events)).toEqual([{ turn: 1, ms: 900 }]);
  });

  it("gives no latency to a reply that began while the caller was speaking", () => {
    const events: SpeechEvent[] = [
      { kind: "you-started", at: 1000 },
      { kind: "agent-started", at: 1500 },
      { kind: "you-stopped", at: 2000 },
    ];
    expect(turnLatencies(events)).toEqual([]);
  });

  it("sorts events that arrived out of order", () => {
    const events: SpeechEvent[] = [
      { kind: "agent-started", at: 3000 },
      { kind: "you-stopped", at: 2000 },
      { kind: "you-started", at: 1000 },
    ];
    expect(turnLatencies(events)).toEqual([{ turn: 1, ms: 1000 }]);
  });
});

describe("latency overview", () => {
  it("gives the last turn and the lower median", () => {
    expect(latencyOverview([{ turn: 1, ms: 900 }, { turn: 2, ms: 600 }, { turn: 3, ms: 1200 }, { turn: 4, ms: 700 }])).toEqual({ lastMs: 700, medianMs: 700 });
  });

  it("is null before the first turn", () => {
    expect(latencyOverview([])).toBeNull();
  });
});
