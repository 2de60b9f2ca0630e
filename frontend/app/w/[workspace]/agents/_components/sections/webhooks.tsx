"use client";

import { PlusIcon, Trash2Icon } from "lucide-react";
import { get, useFieldArray, useFormContext } from "react-hook-form";

import { Button } from "@/components/ui/button";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Checkbox } from "@/components/ui/input";
import { WEBHOOK_EVENTS, type AgentFormValues } from "@/lib/agents/form";

import { TextField } from "../form-fields";

const EVENT_LABELS: Record<(typeof WEBHOOK_EVENTS)[number], string> = {
  CallStarted: "Call started",
  CallEnded: "Call ended",
  AnalysisCompleted: "Analysis completed",
};

function EventsField({ index }: { index: number }) {
  const { register, formState } = useFormContext<AgentFormValues>();
  const error = (get(formState.errors, `webhooks.${index}.events`) as { message?: string } | undefined)?.message;
  return (
    <fieldset className="flex flex-col gap-2" aria-describedby={error ? `webhook-${index}-events-error` : undefined}>
      <legend className="mb-1 text-sm font-medium">Events</legend>
      <div className="flex flex-wrap gap-4">
        {WEBHOOK_EVENTS.map((event) => (
          <label key={event} className="flex items-center gap-2 text-sm">
            <Checkbox value={event} {...register(`webhooks.${index}.events`)} /> {EVENT_LABELS[event]}
          </label>
        ))}
      </div>
      {error ? (
        <p id={`webhook-${index}-events-error`} className="text-xs font-medium text-destructive">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

export function WebhooksSection() {
  const { control } = useFormContext<AgentFormValues>();
  const webhooks = useFieldArray({ control, name: "webhooks" });
  return (
    <Card aria-labelledby="webhooks-title">
      <CardHeader>
        <CardTitle id="webhooks-title">Webhooks</CardTitle>
        <CardDescription>HTTPS endpoints told about calls, signed with HMAC-SHA256 using the key signingSecret of a Secret you name.</CardDescription>
      </CardHeader>
      {webhooks.fields.length === 0 ? <p className="text-sm text-muted-foreground">No webhooks.</p> : null}
      <ul className="flex flex-col gap-3">
        {webhooks.fields.map((field, index) => (
          <li key={field.id} className="flex flex-col gap-3 rounded-lg border p-3 sm:p-4" data-testid="webhook">
            <div className="grid gap-3 sm:grid-cols-[1fr_2fr_1fr]">
              <TextField name={`webhooks.${index}.name`} label="Name" />
              <TextField name={`webhooks.${index}.url`} label="URL" placeholder="https://example.com/hooks/arkenos" />
              <TextField name={`webhooks.${index}.secretName`} label="Signing Secret" hint="A Secret in this workspace." />
            </div>
            <div className="flex flex-wrap items-end justify-between gap-2">
              <EventsField index={index} />
              <Button variant="ghost" size="sm" aria-label={`Remove webhook ${index + 1}`} onClick={() => webhooks.remove(index)}>
                <Trash2Icon aria-hidden /> Remove
              </Button>
            </div>
          </li>
        ))}
      </ul>
      <Button
        variant="outline"
        size="sm"
        className="self-start"
        onClick={() => webhooks.append({ name: `hook-${webhooks.fields.length + 1}`, url: "", events: ["CallEnded"], secretName: "" })}
      >
        <PlusIcon aria-hidden /> Add webhook
      </Button>
    </Card>
  );
}
