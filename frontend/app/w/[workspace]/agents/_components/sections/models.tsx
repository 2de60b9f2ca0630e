"use client";

import { useEffect, useRef } from "react";
import { useFormContext, useWatch } from "react-hook-form";

import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { type AgentFormValues, LLM_PROVIDERS, STT_PROVIDERS, TTS_PROVIDERS } from "@/lib/agents/form";
import { DEFAULT_VOICES, defaultModel } from "@/lib/agents/spec-mapping";

import { SelectField, TextField } from "../form-fields";

function Group({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <fieldset className="flex min-w-0 flex-col gap-3">
      <legend className="mb-2 text-sm font-semibold">{title}</legend>
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">{children}</div>
    </fieldset>
  );
}

/** When a stage's provider changes, a model (or voice) still at the old provider's default
 * follows to the new provider's: Deepgram with OpenAI's transcription model would fail every
 * call. A model the person typed is left alone. */
function FollowProviderDefaults({ stage }: { stage: "stt" | "tts" }) {
  const { setValue, getValues } = useFormContext<AgentFormValues>();
  const provider = useWatch<AgentFormValues, `${typeof stage}.provider`>({ name: `${stage}.provider` });
  const previous = useRef(provider);
  useEffect(() => {
    const before = previous.current;
    previous.current = provider;
    if (before === provider) return;
    if (getValues(`${stage}.model`) === defaultModel(stage, before)) {
      setValue(`${stage}.model`, defaultModel(stage, provider), { shouldDirty: true });
    }
    if (stage === "tts" && getValues("tts.voice") === DEFAULT_VOICES[before]) {
      setValue("tts.voice", DEFAULT_VOICES[provider] ?? DEFAULT_VOICES.OpenAI, { shouldDirty: true });
    }
  }, [stage, provider, getValues, setValue]);
  return null;
}

export function ModelsSection() {
  return (
    <Card aria-labelledby="models-title">
      <CardHeader>
        <CardTitle id="models-title">Speech and language models</CardTitle>
        <CardDescription>Keys come from the workspace&apos;s provider keys unless the agent names its own Secret.</CardDescription>
      </CardHeader>
      <Group title="Speech-to-text">
        <FollowProviderDefaults stage="stt" />
        <SelectField name="stt.provider" label="Provider" options={STT_PROVIDERS} />
        <TextField name="stt.model" label="Model" />
        <TextField name="stt.language" label="Caller's language" hint="Empty: the agent's language." />
      </Group>
      <Group title="Language model">
        <SelectField name="llm.provider" label="Provider" options={LLM_PROVIDERS} />
        <TextField name="llm.model" label="Model" />
        <TextField name="llm.temperature" label="Temperature" hint="0 to 2; empty for the default." />
      </Group>
      <Group title="Text-to-speech">
        <FollowProviderDefaults stage="tts" />
        <SelectField name="tts.provider" label="Provider" options={TTS_PROVIDERS} />
        <TextField name="tts.model" label="Model" />
        <TextField name="tts.voice" label="Voice" hint="A voice name (OpenAI) or id (Cartesia)." />
        <TextField name="tts.speed" label="Speed" hint="1 is normal." />
      </Group>
    </Card>
  );
}
