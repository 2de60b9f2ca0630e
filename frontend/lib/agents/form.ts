/** The standard agent's edit form: its values and their validation (zod, the same rules the
 * API's resource model has, so most mistakes are caught before a round trip). The mapping to
 * and from the spec is in ./spec-mapping.ts, which pages can load without zod. */

import { z } from "zod";

import { ARGUMENT_TYPES, parseSchemaText, rowProblems } from "./argument-schema";
import { splitList } from "./spec-mapping";

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

