import { describe, expect, it } from "vitest";

import { transcriptLines, type TranscriptionStream } from "./transcript";

const stream = (identity: string, id: string, timestamp: number, text: string, attributes: Record<string, string> = {}): TranscriptionStream => ({
  text,
  participantInfo: { identity },
  streamInfo: { id, timestamp, attributes },
});

describe("transcript lines", () => {
  it("tells the caller's speech from the agent's by the caller's identity", () => {
    const lines = transcriptLines(
      [
        stream("agent-AJ_1", "s1", 1000, "Hello, this is the support line.", { "lk.segment_id": "a1", "lk.transcription_final": "true" }),
        stream("user-42", "s2", 5000, "Where is my order?", { "lk.segment_id": "u1", "lk.transcription_final": "true" }),
      ],
      "user-42",
    );
    expect(lines.map((l) => [l.speaker, l.text, l.final])).toEqual([
      ["agent", "Hello, this is the support line.", true],
      ["you", "Where is my order?", true],
    ]);
  });

  it("keeps one line per segment: the latest update's text and finality, the first one's start", () => {
    const lines = transcriptLines(
      [
        stream("user-42", "s1", 5000, "Where is", { "lk.segment_id": "u1", "lk.transcription_final": "false" }),
        stream("user-42", "s2", 5400, "Where is my order?", { "lk.segment_id": "u1", "lk.transcription_final": "true" }),
      ],
      "user-42",
    );
    expect(lines).toEqual([{ id: "u1", speaker: "you", text: "Where is my order?", final: true, startedAt: 5000 }]);
  });

  it("orders lines by when each segment began and leaves out empty ones", () => {
    const lines = transcriptLines(
      [
        stream("agent", "s3", 9000, "Your order ships tomorrow.", { "lk.segment_id": "a2" }),
        stream("agent", "s4", 9500, "  ", { "lk.segment_id": "a3" }),
        stream("user-42", "s2", 5000, "Where is my order?", { "lk.segment_id": "u1" }),
      ],
      "user-42",
    );
    expect(lines.map((l) => l.id)).toEqual(["u1", "a2"]);
    expect(lines[1].final).toBe(false);
  });

  it("falls back to the stream id for a stream with no segment id", () => {
    expect(transcriptLines([stream("agent", "s9", 1, "hi")], undefined)).toEqual([{ id: "s9", speaker: "agent", text: "hi", final: false, startedAt: 1 }]);
  });
});
