/** Per-turn latency of a browser call as the caller experiences it: from the moment the caller
 * stopped speaking to the moment the agent's audio started, as LiveKit's speaker detection
 * reports them to the browser (the server's audio-level analysis of each published track); the
 * caller's stop is the earlier of that detection and the agent's end-of-turn decision (its state
 * turning to "thinking"), since one speaker update often drops the caller and adds the agent. The worker's own per-turn metrics (STT, LLM, TTS)
 * reach the call log after the call; this is the figure the person hears live. */

export type SpeechEvent =
  | { kind: "you-started"; at: number }
  | { kind: "you-stopped"; at: number }
  | { kind: "agent-started"; at: number };

export interface TurnLatency {
  /** 1 for the first reply to the caller (the greeting is not a turn). */
  turn: number;
  ms: number;
}

/** One latency per agent reply that followed the caller's speech; a reply that started while
 * the caller was still speaking (an interruption, or the agent talking over them) has none. */
export function turnLatencies(events: readonly SpeechEvent[]): TurnLatency[] {
  const turns: TurnLatency[] = [];
  let speaking = false;
  let stoppedAt: number | null = null;
  for (const event of [...events].sort((a, b) => a.at - b.at)) {
    if (event.kind === "you-started") {
      speaking = true;
      stoppedAt = null;
    } else if (event.kind === "you-stopped") {
      if (speaking) stoppedAt = event.at;
      speaking = false;
    } else if (stoppedAt !== null) {
      turns.push({ turn: turns.length + 1, ms: Math.round(event.at - stoppedAt) });
      stoppedAt = null;
    }
  }
  return turns;
}

/** Median (the lower middle) and last of the turns so far, for the call's header. */
export function latencyOverview(turns: readonly TurnLatency[]): { lastMs: number; medianMs: number } | null {
  if (turns.length === 0) return null;
  const sorted = turns.map((t) => t.ms).sort((a, b) => a - b);
  return { lastMs: turns[turns.length - 1].ms, medianMs: sorted[Math.ceil(sorted.length / 2) - 1] };
}
