/** The standard agent's edit form: its values, their validation (zod, the same rules the API's
 * resource model has, so most mistakes are caught before a round trip) and the mapping between
 * form values and the VoiceAgent spec. Fields the form does not edit (credentials, VAD tuning,
 * base URLs, tool headers...) are carried over from the spec being edited, because an update
 * replaces the whole spec. */

import { z } from "zod";

import type { AgentSpec, Tool, Webhook } from "@/lib/api/types";

import { ARGUMENT_TYPES, parseSchemaText, rowProblems, rowsToSchema, schemaToRows } from "./argument-schema";

const RESOURCE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SNAKE_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const E164 = /^\+[1-9][0-9]{6,14}$/;
const DECIMAL_0_TO_2 = /^(0(\.[0-9]{1,3})?|1(\.[0-9]{1,3})?|2(\.0{1,3})?)$/;
const LANGUAGE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
const HTTP_URL = /^https?:\/\/[^\s/$.?#][^\s]*$/;
const HTTPS_URL = /^https:\/\/[^\s/$.?#][^\s]*$/;

export const STT_PROVIDERS = ["OpenAI", "Deepgram"] as const;
export const LLM_PROVIDERS = ["OpenAI"] as const;
export const TTS_PROVIDERS = ["OpenAI", "Cartesia"] as const;
export const TURN_MODES = ["VAD", "STT", "Model"] as const;
export const GREETING_MODES = ["AgentFirst", "WaitForCaller"] as const;
export const TOOL_TYPES = ["HTTP", "EndCall", "TransferCall"] as const;
export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export const ANALYSIS_TYPES = ["String", "Number", "Boolean"] as const;
export const WEBHOOK_EVENTS = ["CallStarted", "CallEnded", "AnalysisCompleted"] as const;

const whole = (min: number, max: number, what: string) =>
  z
    .number({ error: `${what} must be a number.` })
    .int(`${what} must be a whole number.`)
    .min(min, `${what} must be at least ${min}.`)
    .max(max, `${what} must be at most ${max}.`);

const optionalPattern = (pattern: RegExp, message: string) =>
  z.string().refine((v) => v === "" || pattern.test(v), message);

/** Splits a list typed one per line or separated by commas. */
export function splitList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

const argumentRowValues = z.object({
  name: z.string(),
  type: z.enum(ARGUMENT_TYPES),
  description: z.string().max(1000, "At most 1000 characters."),
  required: z.boolean(),
});

const toolValues = z
  .object({
    name: z.string().regex(SNAKE_NAME, "Use snake_case: a lowercase letter, then a-z, 0-9 or _."),
    description: z.string().max(2000, "At most 2000 characters."),
    type: z.enum(TOOL_TYPES),
    url: z.string(),
    method: z.enum(HTTP_METHODS),
    timeoutMs: whole(100, 60000, "The timeout"),
    /** The arguments are edited as a list when the schema is that simple, else as JSON. */
    argumentMode: z.enum(["list", "json"]),
    arguments: z.array(argumentRowValues),
    parameters: z.string(),
    allowedNumbers: z.string(),
  })
  .superRefine((tool, ctx) => {
    if (tool.type === "HTTP") {
      if (!HTTP_URL.test(tool.url)) {
        ctx.addIssue({ code: "custom", path: ["url"], message: "Enter an http:// or https:// URL." });
      }
      if (tool.argumentMode === "list") {
        const problems = rowProblems(tool.arguments);
        if (problems.length > 0) ctx.addIssue({ code: "custom", path: ["arguments"], message: problems.join(" ") });
      } else {
        const parsed = parseSchemaText(tool.parameters);
        if (!parsed.ok) ctx.addIssue({ code: "custom", path: ["parameters"], message: parsed.message });
      }
    }
    if (tool.type === "TransferCall") {
      const numbers = splitList(tool.allowedNumbers);
      const bad = numbers.filter((n) => !E164.test(n));
      if (numbers.length === 0) {
        ctx.addIssue({ code: "custom", path: ["allowedNumbers"], message: "Add at least one number." });
      } else if (bad.length > 0) {
        ctx.addIssue({
          code: "custom",
          path: ["allowedNumbers"],
          message: `Not in E.164 form (+ country code and number): ${bad.join(", ")}`,
        });
      }
    }
  });

const analysisFieldValues = z.object({
  name: z.string().regex(SNAKE_NAME, "Use snake_case: a lowercase letter, then a-z, 0-9 or _."),
  type: z.enum(ANALYSIS_TYPES),
  description: z.string().min(1, "Say what to extract.").max(1000, "At most 1000 characters."),
});

const webhookValues = z.object({
  name: z.string().regex(RESOURCE_NAME, "Lowercase letters, digits and -, starting and ending with a letter or digit."),
  url: z.string().regex(HTTPS_URL, "Webhooks need an https:// URL."),
  events: z.array(z.enum(WEBHOOK_EVENTS)).min(1, "Pick at least one event."),
  secretName: z.string().regex(RESOURCE_NAME, "Name of a Secret in the workspace (lowercase, digits, -)."),
});

const uniqueNames =
  (what: string) =>
  (items: { name: string }[], ctx: z.RefinementCtx): void => {
    const seen = new Set<string>();
    items.forEach((item, index) => {
      if (seen.has(item.name)) {
        ctx.addIssue({ code: "custom", path: [index, "name"], message: `Another ${what} has this name.` });
      }
      seen.add(item.name);
    });
  };

export const agentFormSchema = z
  .object({
    name: z
      .string()
      .min(1, "Give the agent a name.")
      .max(63, "At most 63 characters.")
      .regex(RESOURCE_NAME, "Lowercase letters, digits and -, starting and ending with a letter or digit."),
    displayName: z.string().max(128, "At most 128 characters."),
    instructions: z.string().min(1, "Tell the agent what to do.").max(32768, "At most 32768 characters."),
    greetingMode: z.enum(GREETING_MODES),
    greetingText: z.string().max(2000, "At most 2000 characters."),
    language: z.string().regex(LANGUAGE, "A BCP 47 language such as en or pt-BR."),
    maxCallDurationSeconds: whole(30, 14400, "The maximum call duration"),
    stt: z.object({
      provider: z.enum(STT_PROVIDERS),
      model: z.string().min(1, "Name the model.").max(128),
      language: optionalPattern(LANGUAGE, "A BCP 47 language such as en or pt-BR."),
    }),
    llm: z.object({
      provider: z.enum(LLM_PROVIDERS),
      model: z.string().min(1, "Name the model.").max(128),
      temperature: optionalPattern(DECIMAL_0_TO_2, "A decimal between 0 and 2, such as 0.7."),
    }),
    tts: z.object({
      provider: z.enum(TTS_PROVIDERS),
      model: z.string().min(1, "Name the model.").max(128),
      voice: z.string().min(1, "Name the voice.").max(128),
      speed: optionalPattern(DECIMAL_0_TO_2, "A decimal between 0 and 2; 1 is normal speed."),
    }),
    turnDetection: z
      .object({
        mode: z.enum(TURN_MODES),
        allowInterruptions: z.boolean(),
        minEndpointingDelayMs: whole(0, 10000, "The minimum delay"),
        maxEndpointingDelayMs: whole(0, 30000, "The maximum delay"),
      })
      .refine((t) => t.minEndpointingDelayMs <= t.maxEndpointingDelayMs, {
        path: ["minEndpointingDelayMs"],
        message: "The minimum delay must not exceed the maximum delay.",
      }),
    tools: z.array(toolValues).max(64, "At most 64 tools.").superRefine(uniqueNames("tool")),
    analysis: z.object({
      enabled: z.boolean(),
      summary: z.boolean(),
      successCriteria: z.string().max(2000, "At most 2000 characters."),
      fields: z.array(analysisFieldValues).max(50).superRefine(uniqueNames("field")),
    }),
    webhooks: z.array(webhookValues).max(16, "At most 16 webhooks.").superRefine(uniqueNames("webhook")),
  });

export type AgentFormValues = z.infer<typeof agentFormSchema>;
export type ToolValues = AgentFormValues["tools"][number];
export type WebhookValues = AgentFormValues["webhooks"][number];

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
      model: spec.stt?.model ?? "gpt-4o-mini-transcribe",
      language: spec.stt?.language ?? "",
    },
    llm: {
      provider: spec.llm?.provider ?? "OpenAI",
      model: spec.llm?.model ?? "gpt-4o-mini",
      temperature: spec.llm?.temperature ?? "",
    },
    tts: {
      provider: spec.tts?.provider ?? "OpenAI",
      model: spec.tts?.model ?? "gpt-4o-mini-tts",
      voice: spec.tts?.voice ?? "alloy",
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
