/** The standard agent's edit form: its values and their validation (zod/mini, the same rules the
 * API's resource model has, so most mistakes are caught before a round trip). The mapping to
 * and from the spec is in ./spec-mapping.ts, which pages can load without zod. */

// Zod's tree-shakable "mini" build, as elsewhere in the dashboard (the classic build is some 17 KB
// more gzipped); it has no default messages, so every check a person can trip says its own.
import * as z from "zod/mini";

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
  z.number({ error: `${what} must be a number.` }).check(
    z.refine(Number.isInteger, `${what} must be a whole number.`),
    z.gte(min, `${what} must be at least ${min}.`),
    z.lte(max, `${what} must be at most ${max}.`),
  );

const text = (max: number, ...checks: z.core.$ZodCheck<string>[]) => z.string().check(...checks, z.maxLength(max, `At most ${max} characters.`));

const required = (message: string, max: number) => text(max, z.minLength(1, message));

const pattern = (regex: RegExp, message: string) => z.string().check(z.regex(regex, message));

const optionalPattern = (regex: RegExp, message: string) => z.string().check(z.refine((v) => v === "" || regex.test(v), message));

const oneOf = <T extends string>(values: readonly T[]) => z.enum(values as [T, ...T[]], "Not one of the choices.");

const atMost = (max: number, what: string) => z.maxLength(max, `At most ${max} ${what}.`);

const argumentRowValues = z.object({
  name: z.string(),
  type: oneOf(ARGUMENT_TYPES),
  description: text(1000),
  required: z.boolean(),
});

const SNAKE_MESSAGE = "Use snake_case: a lowercase letter, then a-z, 0-9 or _.";
const RESOURCE_MESSAGE = "Lowercase letters, digits and -, starting and ending with a letter or digit.";

const toolValues = z
  .object({
    name: pattern(SNAKE_NAME, SNAKE_MESSAGE),
    description: text(2000),
    type: oneOf(TOOL_TYPES),
    url: z.string(),
    method: oneOf(HTTP_METHODS),
    timeoutMs: whole(100, 60000, "The timeout"),
    /** The arguments are edited as a list when the schema is that simple, else as JSON. */
    argumentMode: z.enum(["list", "json"]),
    arguments: z.array(argumentRowValues),
    parameters: z.string(),
    allowedNumbers: z.string(),
  })
  .check(
    z.superRefine((tool, ctx) => {
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
    }),
  );

const analysisFieldValues = z.object({
  name: pattern(SNAKE_NAME, SNAKE_MESSAGE),
  type: oneOf(ANALYSIS_TYPES),
  description: required("Say what to extract.", 1000),
});

const webhookValues = z.object({
  name: pattern(RESOURCE_NAME, RESOURCE_MESSAGE),
  url: pattern(HTTPS_URL, "Webhooks need an https:// URL."),
  events: z.array(oneOf(WEBHOOK_EVENTS)).check(z.minLength(1, "Pick at least one event.")),
  secretName: pattern(RESOURCE_NAME, "Name of a Secret in the workspace (lowercase, digits, -)."),
});

const uniqueNames = (what: string) =>
  z.superRefine((items: { name: string }[], ctx) => {
    const seen = new Set<string>();
    items.forEach((item, index) => {
      if (seen.has(item.name)) {
        ctx.addIssue({ code: "custom", path: [index, "name"], message: `Another ${what} has this name.` });
      }
      seen.add(item.name);
    });
  });

const LANGUAGE_MESSAGE = "A BCP 47 language such as en or pt-BR.";

export const agentFormSchema = z.object({
  name: text(63, z.minLength(1, "Give the agent a name."), z.regex(RESOURCE_NAME, RESOURCE_MESSAGE)),
  displayName: text(128),
  instructions: required("Tell the agent what to do.", 32768),
  greetingMode: oneOf(GREETING_MODES),
  greetingText: text(2000),
  language: pattern(LANGUAGE, LANGUAGE_MESSAGE),
  maxCallDurationSeconds: whole(30, 14400, "The maximum call duration"),
  stt: z.object({
    provider: oneOf(STT_PROVIDERS),
    model: required("Name the model.", 128),
    language: optionalPattern(LANGUAGE, LANGUAGE_MESSAGE),
  }),
  llm: z.object({
    provider: oneOf(LLM_PROVIDERS),
    model: required("Name the model.", 128),
    temperature: optionalPattern(DECIMAL_0_TO_2, "A decimal between 0 and 2, such as 0.7."),
  }),
  tts: z.object({
    provider: oneOf(TTS_PROVIDERS),
    model: required("Name the model.", 128),
    voice: required("Name the voice.", 128),
    speed: optionalPattern(DECIMAL_0_TO_2, "A decimal between 0 and 2; 1 is normal speed."),
  }),
  turnDetection: z
    .object({
      mode: oneOf(TURN_MODES),
      allowInterruptions: z.boolean(),
      minEndpointingDelayMs: whole(0, 10000, "The minimum delay"),
      maxEndpointingDelayMs: whole(0, 30000, "The maximum delay"),
    })
    .check(
      z.refine((t) => t.minEndpointingDelayMs <= t.maxEndpointingDelayMs, {
        path: ["minEndpointingDelayMs"],
        message: "The minimum delay must not exceed the maximum delay.",
      }),
    ),
  tools: z.array(toolValues).check(atMost(64, "tools"), uniqueNames("tool")),
  analysis: z.object({
    enabled: z.boolean(),
    summary: z.boolean(),
    successCriteria: text(2000),
    fields: z.array(analysisFieldValues).check(atMost(50, "fields"), uniqueNames("field")),
  }),
  webhooks: z.array(webhookValues).check(atMost(16, "webhooks"), uniqueNames("webhook")),
});

export type AgentFormValues = z.infer<typeof agentFormSchema>;
export type ToolValues = AgentFormValues["tools"][number];
export type WebhookValues = AgentFormValues["webhooks"][number];

