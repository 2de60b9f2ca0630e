/** Between the VoiceAgent spec and the agent form's values. Fields the form does not edit
 * (credentials, VAD tuning, base URLs, tool headers...) are carried over from the spec being
 * edited, because an update replaces the whole spec. No zod here: pages import this eagerly
 * and load the form (and its schema) on demand. */

import type { AgentSpec, Tool, Webhook } from "@/lib/api/types";

import { parseSchemaText, rowsToSchema, schemaToRows } from "./argument-schema";
import type { AgentFormValues, ToolValues, WebhookValues } from "./form";

/** Each provider's default model (and TTS voice), as the resource model's provider table has
 * them: a spec that names only a provider gets that provider's default, not OpenAI's. */
export const DEFAULT_MODELS = {
  stt: { OpenAI: "gpt-4o-mini-transcribe", Deepgram: "nova-3" },
  llm: { OpenAI: "gpt-4o-mini" },
  tts: { OpenAI: "gpt-4o-mini-tts", Cartesia: "sonic-3" },
} as const satisfies Record<"stt" | "llm" | "tts", Record<string, string>>;
export const DEFAULT_VOICES: Record<string, string> = {
  OpenAI: "alloy",
  Cartesia: "f786b574-daa5-4673-aa0c-cbe3e8534c02",
};

/** The default model of ``provider`` for a pipeline stage (OpenAI's when it is unknown). */
export function defaultModel(stage: keyof typeof DEFAULT_MODELS, provider: string | undefined): string {
  const models: Record<string, string> = DEFAULT_MODELS[stage];
  return models[provider ?? "OpenAI"] ?? models.OpenAI;
}

/** Splits a list typed one per line or separated by commas. */
export function splitList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

export function newTool(type: ToolValues["type"]): ToolValues {
  const name = { HTTP: "lookup", EndCall: "end_call", TransferCall: "transfer_call" }[type];
  return {
    name,
    description: "",
    type,
    url: "",
    method: "POST",
    timeoutMs: 5000,
    argumentMode: "list",
    arguments: [],
    parameters: "",
    allowedNumbers: "",
  };
}

function toolToValues(tool: Tool): ToolValues {
  const parameters = tool.http?.parameters;
  const rows = schemaToRows(parameters ?? {});
  return {
    name: tool.name,
    description: tool.description ?? "",
    type: tool.type,
    url: tool.http?.url ?? "",
    method: tool.http?.method ?? "POST",
    timeoutMs: tool.http?.timeoutMs ?? 5000,
    argumentMode: rows ? "list" : "json",
    arguments: rows ?? [],
    parameters:
      parameters && Object.keys(parameters).length > 0 ? JSON.stringify(parameters, null, 2) : "",
    allowedNumbers: (tool.transfer?.allowedNumbers ?? []).join("\n"),
  };
}

function webhookToValues(webhook: Webhook): WebhookValues {
  return {
    name: webhook.name,
    url: webhook.url,
    events: webhook.events,
    secretName: webhook.secretRef.name,
  };
}

/** Form values showing a spec (an existing agent's, or a template's). */
export function specToValues(name: string, spec: AgentSpec): AgentFormValues {
  return {
    name,
    displayName: spec.displayName ?? "",
    instructions: spec.instructions ?? "",
    greetingMode: spec.greeting?.mode ?? "AgentFirst",
    greetingText: spec.greeting?.text ?? "",
    language: spec.language ?? "en",
    maxCallDurationSeconds: spec.maxCallDurationSeconds ?? 1800,
    stt: {
      provider: spec.stt?.provider ?? "OpenAI",
      model: spec.stt?.model ?? defaultModel("stt", spec.stt?.provider),
      language: spec.stt?.language ?? "",
    },
    llm: {
      provider: spec.llm?.provider ?? "OpenAI",
      model: spec.llm?.model ?? defaultModel("llm", spec.llm?.provider),
      temperature: spec.llm?.temperature ?? "",
    },
    tts: {
      provider: spec.tts?.provider ?? "OpenAI",
      model: spec.tts?.model ?? defaultModel("tts", spec.tts?.provider),
      voice: spec.tts?.voice ?? DEFAULT_VOICES[spec.tts?.provider ?? "OpenAI"] ?? DEFAULT_VOICES.OpenAI,
      speed: spec.tts?.speed ?? "",
    },
    turnDetection: {
      mode: spec.turnDetection?.mode ?? "VAD",
      allowInterruptions: spec.turnDetection?.allowInterruptions ?? true,
      minEndpointingDelayMs: spec.turnDetection?.minEndpointingDelayMs ?? 500,
      maxEndpointingDelayMs: spec.turnDetection?.maxEndpointingDelayMs ?? 6000,
    },
    tools: (spec.tools ?? []).map(toolToValues),
    analysis: {
      enabled: spec.analysis?.enabled ?? false,
      summary: spec.analysis?.summary ?? true,
      successCriteria: spec.analysis?.successCriteria ?? "",
      fields: (spec.analysis?.fields ?? []).map((f) => ({ ...f })),
    },
    webhooks: (spec.webhooks ?? []).map(webhookToValues),
  };
}

function orUndefined(text: string): string | undefined {
  const trimmed = text.trim();
  return trimmed === "" ? undefined : trimmed;
}

function valuesToTool(values: ToolValues, previous: Tool | undefined): Tool {
  const tool: Tool = { name: values.name, description: values.description, type: values.type };
  if (values.type === "HTTP") {
    tool.http = {
      ...(previous?.http ?? {}),
      url: values.url,
      method: values.method,
      timeoutMs: values.timeoutMs,
      parameters: toolParameters(values),
    };
  }
  if (values.type === "TransferCall") {
    tool.transfer = { allowedNumbers: splitList(values.allowedNumbers) };
  }
  return tool;
}

/** The HTTP tool's argument schema, from whichever editor the person used. */
export function toolParameters(values: ToolValues): Record<string, unknown> {
  if (values.argumentMode === "list") return values.arguments.length > 0 ? rowsToSchema(values.arguments) : {};
  const parsed = parseSchemaText(values.parameters);
  return parsed.ok ? parsed.schema : {};
}

/** The spec to send for these values; `base` is the spec they were edited from. */
export function valuesToSpec(values: AgentFormValues, base: AgentSpec = {}): AgentSpec {
  const previousTools = new Map((base.tools ?? []).map((t) => [t.name, t]));
  const spec: AgentSpec = {
    ...base,
    mode: "Standard",
    displayName: orUndefined(values.displayName),
    instructions: values.instructions,
    greeting: { mode: values.greetingMode, text: orUndefined(values.greetingText) },
    language: values.language,
    maxCallDurationSeconds: values.maxCallDurationSeconds,
    stt: {
      ...(base.stt ?? {}),
      provider: values.stt.provider,
      model: values.stt.model,
      language: orUndefined(values.stt.language),
    },
    llm: {
      ...(base.llm ?? {}),
      provider: values.llm.provider,
      model: values.llm.model,
      temperature: orUndefined(values.llm.temperature),
    },
    tts: {
      ...(base.tts ?? {}),
      provider: values.tts.provider,
      model: values.tts.model,
      voice: values.tts.voice,
      speed: orUndefined(values.tts.speed),
    },
    turnDetection: { ...(base.turnDetection ?? {}), ...values.turnDetection },
    tools: values.tools.map((t) => valuesToTool(t, previousTools.get(t.name))),
    analysis: {
      ...(base.analysis ?? {}),
      enabled: values.analysis.enabled,
      summary: values.analysis.summary,
      successCriteria: orUndefined(values.analysis.successCriteria),
      fields: values.analysis.fields,
    },
    webhooks: values.webhooks.map((w) => ({
      name: w.name,
      url: w.url,
      events: w.events,
      secretRef: { name: w.secretName },
    })),
  };
  return dropUndefined(spec);
}

/** JSON without the keys whose value is undefined (the API refuses explicit nulls for some). */
function dropUndefined<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
