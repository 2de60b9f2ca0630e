"use client";

import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { TURN_MODES } from "@/lib/agents/form";

import { CheckboxField, NumberField, SelectField } from "../form-fields";

const MODE_LABELS: Record<(typeof TURN_MODES)[number], string> = {
  VAD: "Silence (VAD)",
  STT: "Speech-to-text end of utterance",
  Model: "End-of-turn model",
};

export function TurnDetectionSection() {
  return (
    <Card aria-labelledby="turns-title">
      <CardHeader>
        <CardTitle id="turns-title">Turn detection</CardTitle>
        <CardDescription>How the agent decides the caller has finished speaking.</CardDescription>
      </CardHeader>
      <div className="grid gap-4 sm:grid-cols-3">
        <SelectField name="turnDetection.mode" label="Detect the end of a turn by" options={TURN_MODES.map((m) => ({ value: m, label: MODE_LABELS[m] }))} />
        <NumberField name="turnDetection.minEndpointingDelayMs" label="Minimum delay (ms)" min={0} max={10000} step={50} />
        <NumberField name="turnDetection.maxEndpointingDelayMs" label="Maximum delay (ms)" min={0} max={30000} step={50} />
      </div>
      <CheckboxField name="turnDetection.allowInterruptions" label="The caller may interrupt the agent" />
    </Card>
  );
}
