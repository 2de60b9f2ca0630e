"use client";

/** One browser call in LiveKit's room: the agent's audio, its state (lk.agent.state), the live
 * transcript (lk.transcription text streams) and per-turn latency. Imported only by the talk
 * panel's dynamic import, so livekit-client stays out of every route's first load. */

import { RoomAudioRenderer, RoomContext, StartAudio, useTranscriptions, useVoiceAssistant, type AgentState } from "@livekit/components-react";
import { PhoneOffIcon } from "lucide-react";
import { DisconnectReason, Room, RoomEvent, Track, type Participant } from "livekit-client";
import { useEffect, useRef, useState } from "react";

import { LoadingRows } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import type { components } from "@/lib/api/schema";
import { latencyOverview, turnLatencies, type SpeechEvent } from "@/lib/talk/latency";
import { transcriptLines } from "@/lib/talk/transcript";

type WebCall = components["schemas"]["WebCallOut"];

export interface CallEnd {
  /** Why the call ended, for a person ("you hung up"); none when the page went away. */
  reason?: string;
  /** Set when the call could not be joined or broke off. */
  error?: Error;
}

const ENDED_BY: Partial<Record<DisconnectReason, string>> = {
  [DisconnectReason.CLIENT_INITIATED]: "you hung up",
  [DisconnectReason.ROOM_DELETED]: "the call was ended",
  [DisconnectReason.PARTICIPANT_REMOVED]: "you were removed from the call",
  [DisconnectReason.DUPLICATE_IDENTITY]: "you joined this call from another tab",
};

export function LiveCall({ call, microphone, onEnded }: { call: WebCall; microphone: MediaStreamTrack; onEnded: (end: CallEnd) => void }) {
  const [room] = useState(() => new Room({ adaptiveStream: false, dynacast: false }));
  const [joined, setJoined] = useState(false);
  const onEndedRef = useRef(onEnded);
  useEffect(() => {
    onEndedRef.current = onEnded;
  });

  useEffect(() => {
    let cancelled = false;
    const disconnected = (reason?: DisconnectReason) => {
      if (cancelled) return;
      const said = reason === undefined ? undefined : ENDED_BY[reason];
      onEndedRef.current(said ? { reason: said } : { error: new Error(`The connection to the call was lost (${reason === undefined ? "no reason given" : DisconnectReason[reason]}).`) });
    };
    room.on(RoomEvent.Disconnected, disconnected);
    (async () => {
      try {
        await room.connect(call.url, call.token);
        await room.localParticipant.publishTrack(microphone, { source: Track.Source.Microphone, name: "microphone" });
        if (!cancelled) setJoined(true);
      } catch (error) {
        if (cancelled) return;
        room.off(RoomEvent.Disconnected, disconnected);
        await room.disconnect();
        onEndedRef.current({ error: new Error(`Could not join the call: ${error instanceof Error ? error.message : String(error)}`) });
      }
    })();
    return () => {
      cancelled = true;
      room.off(RoomEvent.Disconnected, disconnected);
      void room.disconnect();
    };
  }, [room, call.url, call.token, microphone]);

  return (
    <RoomContext.Provider value={room}>
      <RoomAudioRenderer />
      {joined ? <InCall room={room} /> : <LoadingRows rows={2} label="Joining the call" />}
    </RoomContext.Provider>
  );
}

const STATE_LABELS: Record<AgentState, string> = {
  disconnected: "Not in the call",
  connecting: "Joining",
  "pre-connect-buffering": "Joining",
  failed: "Failed to join",
  initializing: "Waiting for the agent",
  idle: "Idle",
  listening: "Listening",
  thinking: "Thinking",
  speaking: "Speaking",
};
const STATE_VARIANTS: Partial<Record<AgentState, "success" | "warning" | "destructive" | "default">> = {
  listening: "success",
  thinking: "warning",
  speaking: "default",
  failed: "destructive",
};

/** The participant attribute a LiveKit agent publishes its state in. */
const AGENT_STATE_ATTRIBUTE = "lk.agent.state";

/** Speaker changes as LiveKit reports them, for the latency figures. LiveKit's speaker updates
 * often drop the caller and add the agent in one update (the caller's level decays slowly), so
 * the agent's own end-of-turn decision (its state turning to "thinking") also marks the moment
 * the caller stopped: whichever comes first. */
function useSpeechEvents(room: Room): SpeechEvent[] {
  const [events, setEvents] = useState<SpeechEvent[]>([]);
  useEffect(() => {
    // The agent's state is its participant attribute (what useVoiceAssistant reads): listen to
    // the room for it, rather than set state from an effect on the hook's value.
    const attributes = (changed: Record<string, string>, participant: Participant) => {
      if (!participant.isAgent || changed[AGENT_STATE_ATTRIBUTE] !== "thinking") return;
      const at = performance.timeOrigin + performance.now();
      setEvents((previous) => [...previous, { kind: "you-stopped", at }]);
    };
    room.on(RoomEvent.ParticipantAttributesChanged, attributes);
    return () => {
      room.off(RoomEvent.ParticipantAttributesChanged, attributes);
    };
  }, [room]);
  useEffect(() => {
    let you = false;
    let agent = false;
    const changed = (speakers: Participant[]) => {
      const at = performance.timeOrigin + performance.now();
      const youNow = speakers.some((p) => p.isLocal);
      const agentNow = speakers.some((p) => p.isAgent);
      const added: SpeechEvent[] = [];
      if (youNow !== you) added.push({ kind: youNow ? "you-started" : "you-stopped", at });
      if (agentNow && !agent) added.push({ kind: "agent-started", at });
      you = youNow;
      agent = agentNow;
      if (added.length) setEvents((previous) => [...previous, ...added]);
    };
    room.on(RoomEvent.ActiveSpeakersChanged, changed);
    return () => {
      room.off(RoomEvent.ActiveSpeakersChanged, changed);
    };
  }, [room]);
  return events;
}

function InCall({ room }: { room: Room }) {
  const { state } = useVoiceAssistant();
  const streams = useTranscriptions();
  const lines = transcriptLines(streams, room.localParticipant.identity);
  const turns = turnLatencies(useSpeechEvents(room));
  const overview = latencyOverview(turns);
  const [hangingUp, setHangingUp] = useState(false);

  return (
    <div className="grid gap-4 lg:grid-cols-[1fr_18rem]">
      <Card aria-labelledby="transcript-title" className="min-w-0">
        <CardHeader>
          <CardTitle id="transcript-title">Transcript</CardTitle>
        </CardHeader>
        {/* The log role goes on a wrapper: on the list itself it would take the items' list semantics away. */}
        <div role="log" aria-live="polite" aria-labelledby="transcript-title" className="max-h-[28rem] overflow-y-auto" data-testid="transcript">
          <ol className="flex flex-col gap-3">
            {lines.length === 0 ? <li className="text-sm text-muted-foreground">Nothing said yet. The agent usually speaks first.</li> : null}
            {lines.map((line) => (
              <li key={line.id} className={line.speaker === "you" ? "self-end text-right" : "self-start"}>
                <span className="block text-xs font-medium text-muted-foreground">{line.speaker === "you" ? "You" : "Agent"}</span>
                <span
                  className={`inline-block max-w-[min(36rem,80vw)] rounded-lg px-3 py-2 text-sm break-words ${
                    line.speaker === "you" ? "bg-primary text-primary-foreground" : "bg-muted text-foreground"
                  } ${line.final ? "" : "italic"}`}
                >
                  {line.text}
                </span>
              </li>
            ))}
          </ol>
        </div>
      </Card>
      <div className="flex flex-col gap-4">
        <Card aria-labelledby="agent-state-title">
          <CardHeader>
            <CardTitle id="agent-state-title">Agent</CardTitle>
          </CardHeader>
          <p role="status" className="flex items-center gap-2 text-sm" data-testid="agent-state">
            <Badge variant={STATE_VARIANTS[state] ?? "default"}>{STATE_LABELS[state] ?? state}</Badge>
          </p>
          <StartAudio label="Allow audio playback" className="inline-flex h-9 items-center rounded-md border px-3 text-sm" />
          <Button
            variant="destructive"
            disabled={hangingUp}
            onClick={() => {
              setHangingUp(true);
              void room.disconnect();
            }}
          >
            <PhoneOffIcon aria-hidden />
            Hang up
          </Button>
        </Card>
        <Card aria-labelledby="latency-title">
          <CardHeader>
            <CardTitle id="latency-title">Reply latency</CardTitle>
          </CardHeader>
          {overview ? (
            <p className="text-sm" data-testid="latency-overview">
              Last <span className="font-medium tabular-nums">{overview.lastMs} ms</span> · median <span className="font-medium tabular-nums">{overview.medianMs} ms</span>
            </p>
          ) : (
            <p className="text-sm text-muted-foreground">Appears after the agent&apos;s first reply to you.</p>
          )}
          {turns.length ? (
            <ol aria-label="Latency per turn" className="flex flex-col gap-1 text-sm tabular-nums">
              {turns.map((turn) => (
                <li key={turn.turn}>
                  Turn {turn.turn}: {turn.ms} ms
                </li>
              ))}
            </ol>
          ) : null}
          <p className="text-xs text-muted-foreground">From the end of your speech to the start of the agent&apos;s audio, as LiveKit detects speech on each side (or from when the agent decided your turn ended, if that came first).</p>
        </Card>
      </div>
    </div>
  );
}
