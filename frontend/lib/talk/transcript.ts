/** The live transcript of a browser call, from the transcription text streams LiveKit Agents
 * publishes on the `lk.transcription` topic (one stream per update of a segment; a segment's
 * updates share `lk.segment_id`, the last carries `lk.transcription_final: "true"`).
 * @livekit/components-react's useTranscriptions merges the updates of each segment; this turns
 * its list into lines a person reads: who spoke, what, and whether it is still being heard. */

export const SEGMENT_ID = "lk.segment_id";
export const TRANSCRIPTION_FINAL = "lk.transcription_final";

/** The parts of components-core's TextStreamData this reads (kept structural for tests). */
export interface TranscriptionStream {
  text: string;
  participantInfo: { identity: string };
  streamInfo: { id: string; timestamp: number; attributes?: Record<string, string> };
}

export type Speaker = "you" | "agent";

export interface TranscriptLine {
  id: string;
  speaker: Speaker;
  text: string;
  /** False while the speech is still being recognised (user) or spoken (agent). */
  final: boolean;
  /** When the segment's first update was sent (ms since the epoch). */
  startedAt: number;
}

/** Lines in the order the segments began; the caller's own identity marks their speech.
 * Empty updates (an agent segment opened before its first word) are left out. */
export function transcriptLines(streams: readonly TranscriptionStream[], localIdentity: string | undefined): TranscriptLine[] {
  const bySegment = new Map<string, TranscriptLine>();
  for (const stream of streams) {
    const attributes = stream.streamInfo.attributes ?? {};
    const id = attributes[SEGMENT_ID] ?? stream.streamInfo.id;
    const previous = bySegment.get(id);
    bySegment.set(id, {
      id,
      speaker: localIdentity !== undefined && stream.participantInfo.identity === localIdentity ? "you" : "agent",
      text: stream.text.trim(),
      final: attributes[TRANSCRIPTION_FINAL] === "true",
      startedAt: Math.min(previous?.startedAt ?? Infinity, stream.streamInfo.timestamp),
    });
  }
  return [...bySegment.values()].filter((line) => line.text !== "").sort((a, b) => a.startedAt - b.startedAt);
}
