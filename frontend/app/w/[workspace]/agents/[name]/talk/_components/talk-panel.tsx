"use client";

import { useMutation } from "@tanstack/react-query";
import { MicIcon, PhoneIcon } from "lucide-react";
import dynamic from "next/dynamic";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";

import { ErrorState, LoadingRows } from "@/components/states";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { api, unwrap } from "@/lib/api/client";
import type { components } from "@/lib/api/schema";
import { workspacePath } from "@/lib/nav";
import { microphoneProblem } from "@/lib/talk/microphone";

import type { CallEnd } from "./live-call";

type WebCall = components["schemas"]["WebCallOut"];

/** livekit-client and its React components, loaded when a call starts (not with the route). */
const LiveCall = dynamic(() => import("./live-call").then((module) => module.LiveCall), {
  ssr: false,
  loading: () => <LoadingRows rows={2} label="Loading the call" />,
});

type Phase =
  | { step: "idle" }
  | { step: "microphone" }
  | { step: "microphone-refused"; message: string }
  | { step: "dialing"; microphone: MediaStreamTrack }
  | { step: "live"; call: WebCall; microphone: MediaStreamTrack }
  | { step: "ended"; call: WebCall; end: CallEnd };

async function openMicrophone(): Promise<MediaStreamTrack> {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw Object.assign(new Error("this page is not a secure context (https or localhost), so the browser offers no microphone"), { name: "SecurityError" });
  }
  const stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true } });
  return stream.getAudioTracks()[0];
}

/** Before, during and after one call. The microphone is asked for first, so a refusal costs no
 * call; a call that could not be joined is hung up through the API, so its room does not linger. */
export function TalkPanel({ workspace, agent, canCall }: { workspace: string; agent: string; canCall: boolean | null }) {
  const [phase, setPhase] = useState<Phase>({ step: "idle" });
  // The open microphone, stopped when the call ends or the page goes away.
  const microphoneRef = useRef<MediaStreamTrack | null>(null);
  useEffect(() => () => microphoneRef.current?.stop(), []);

  const start = useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/workspaces/{workspace}/agents/{name}/calls", { params: { path: { workspace, name: agent } }, body: {} })),
  });
  const hangUp = useMutation({
    mutationFn: (sessionId: string) => unwrap(api.POST("/api/v1/workspaces/{workspace}/sessions/{session_id}/hangup", { params: { path: { workspace, session_id: sessionId } } })),
  });

  async function begin() {
    start.reset();
    setPhase({ step: "microphone" });
    let track: MediaStreamTrack;
    try {
      track = await openMicrophone();
    } catch (error) {
      setPhase({ step: "microphone-refused", message: microphoneProblem(error) });
      return;
    }
    microphoneRef.current = track;
    setPhase({ step: "dialing", microphone: track });
    try {
      const call = await start.mutateAsync();
      setPhase({ step: "live", call, microphone: track });
    } catch {
      track.stop();
      microphoneRef.current = null;
      setPhase({ step: "idle" });
    }
  }

  function ended(call: WebCall, end: CallEnd) {
    microphoneRef.current?.stop();
    microphoneRef.current = null;
    if (end.error) hangUp.mutate(call.sessionId);
    setPhase({ step: "ended", call, end });
  }

  if (phase.step === "live") {
    return <LiveCall call={phase.call} microphone={phase.microphone} onEnded={(end) => ended(phase.call, end)} />;
  }

  const busy = phase.step === "microphone" || phase.step === "dialing";
  return (
    <Card aria-label="Call">
        {phase.step === "ended" ? <Ended workspace={workspace} call={phase.call} end={phase.end} hangUpError={hangUp.error} /> : null}
        {phase.step === "idle" && !start.error ? (
          <p className="text-sm text-muted-foreground">
            Start a call to talk to this agent with your microphone. You will see what each side says, what the agent is doing, and how long each reply took.
          </p>
        ) : null}
        {phase.step === "microphone-refused" ? (
          <Alert variant="destructive" data-testid="microphone-refused">
            <AlertTitle>No microphone</AlertTitle>
            <AlertDescription>{phase.message}</AlertDescription>
          </Alert>
        ) : null}
        {start.error ? <ErrorState title="The call could not start" error={start.error} /> : null}
        {canCall === false ? (
          <p className="text-sm text-muted-foreground">Viewers cannot start calls: ask a workspace admin for the developer role.</p>
        ) : null}
        <div className="flex flex-wrap items-center gap-3">
          <Button onClick={begin} disabled={busy || canCall !== true} aria-describedby="talk-status">
            {phase.step === "microphone" ? <MicIcon aria-hidden /> : <PhoneIcon aria-hidden />}
            {phase.step === "ended" ? "Call again" : "Start call"}
          </Button>
          <span id="talk-status" role="status" className="text-sm text-muted-foreground">
            {phase.step === "microphone" ? "Waiting for the microphone…" : phase.step === "dialing" ? "Starting the call…" : ""}
          </span>
        </div>
    </Card>
  );
}

function Ended({ workspace, call, end, hangUpError }: { workspace: string; call: WebCall; end: CallEnd; hangUpError: unknown }) {
  return (
    <div className="flex flex-col gap-3">
      {end.error ? <ErrorState title="The call failed" error={end.error} /> : <p className="font-medium">Call ended{end.reason ? `: ${end.reason}` : ""}.</p>}
      {hangUpError ? <ErrorState title="Could not end the call's room" error={hangUpError} /> : null}
      <p className="text-sm">
        <Link className="underline underline-offset-4" href={workspacePath(workspace, "calls", call.sessionId)}>
          Open this call in the call log
        </Link>{" "}
        <span className="text-muted-foreground">(its transcript, the worker&apos;s latency figures and its cost arrive once the worker reports the end).</span>
      </p>
    </div>
  );
}
