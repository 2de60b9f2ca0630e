"use client";

import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { GREETING_MODES } from "@/lib/agents/form";

import { NumberField, SelectField, TextAreaField, TextField } from "../form-fields";

export function BasicsSection({ nameEditable }: { nameEditable: boolean }) {
  return (
    <Card aria-labelledby="basics-title">
      <CardHeader>
        <CardTitle id="basics-title">Agent</CardTitle>
        <CardDescription>Who the agent is and how it opens the call.</CardDescription>
      </CardHeader>
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField name="name" label="Name" hint={nameEditable ? "Lowercase letters, digits and -; cannot change later." : "The resource name cannot change."} disabled={!nameEditable} />
        <TextField name="displayName" label="Display name" hint="Shown in the dashboard." />
        <TextField name="language" label="Language" hint="BCP 47, e.g. en, de, pt-BR." />
        <NumberField name="maxCallDurationSeconds" label="Maximum call duration (seconds)" min={30} max={14400} />
      </div>
      <TextAreaField name="instructions" label="Instructions" rows={8} hint="The system prompt. {{agent_name}} and {{caller_number}} are filled in per call." />
      <div className="grid gap-4 sm:grid-cols-[12rem_1fr]">
        <SelectField
          name="greetingMode"
          label="Who speaks first"
          options={GREETING_MODES.map((mode) => ({ value: mode, label: mode === "AgentFirst" ? "The agent" : "The caller" }))}
        />
        <TextField name="greetingText" label="Greeting" hint="Empty: the agent greets in its own words." />
      </div>
    </Card>
  );
}
