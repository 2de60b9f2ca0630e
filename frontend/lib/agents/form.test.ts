import { describe, expect, it } from "vitest";

import type { AgentSpec } from "@/lib/api/types";

import { agentFormSchema } from "./form";
import { DEFAULT_VOICES, newTool, specToValues, splitList, valuesToSpec } from "./spec-mapping";

const fullSpec: AgentSpec = {
  mode: "Standard",
  displayName: "Front desk",
  instructions: "Answer calls for Acme.",
  greeting: { mode: "WaitForCaller", text: "Hi" },
  language: "en",
  credentials: { secretRef: { name: "acme-keys" } },
  stt: { provider: "Deepgram", model: "nova-3", baseURL: "https://stt.example.com" },
  llm: { provider: "OpenAI", model: "gpt-4o-mini", temperature: "0.5" },
  tts: { provider: "Cartesia", model: "sonic-2", voice: "a0e99841" },
  turnDetection: {
    mode: "VAD",
    allowInterruptions: false,
    minEndpointingDelayMs: 400,
    maxEndpointingDelayMs: 5000,
    vad: { minSilenceMs: 300 },
  },
  tools: [
    {
      name: "book",
      type: "HTTP",
      description: "Book a slot",
      http: {
        url: "https://example.com/book",
        method: "POST",
        headers: [{ name: "Authorization", valueFrom: { name: "crm", key: "token" } }],
        parameters: { type: "object", properties: { day: { type: "string" } } },
      },
    },
    { name: "transfer_call", type: "TransferCall", transfer: { allowedNumbers: ["+14155550100"] } },
    { name: "end_call", type: "EndCall" },
  ],
  analysis: { enabled: true, summary: true, fields: [{ name: "intent", type: "String", description: "Why they called" }] },
  webhooks: [{ name: "crm", url: "https://crm.example.com/hook", events: ["CallEnded"], secretRef: { name: "hook" } }],
};

describe("provider defaults", () => {
  it("gives a spec naming only a provider that provider's default model and voice", () => {
    const values = specToValues("a", { stt: { provider: "Deepgram" }, tts: { provider: "Cartesia" } });
    expect(values.stt.model).toBe("nova-3");
    expect(values.tts.model).toBe("sonic-3");
    expect(values.tts.voice).toBe(DEFAULT_VOICES.Cartesia);
    expect(specToValues("a", {}).stt.model).toBe("gpt-4o-mini-transcribe");
  });

  it("keeps a model the spec names", () => {
    expect(specToValues("a", { stt: { provider: "Deepgram", model: "nova-2" } }).stt.model).toBe("nova-2");
  });
});

describe("specToValues and valuesToSpec", () => {
  it("round-trip a full spec, keeping what the form does not edit", () => {
    const values = specToValues("front-desk", fullSpec);
    expect(agentFormSchema.safeParse(values).success).toBe(true);
    const spec = valuesToSpec(values, fullSpec);
    expect(spec.credentials).toEqual({ secretRef: { name: "acme-keys" } });
    expect(spec.stt?.baseURL).toBe("https://stt.example.com");
    expect(spec.turnDetection?.vad).toEqual({ minSilenceMs: 300 });
    expect(spec.tools?.[0].http?.headers).toEqual(fullSpec.tools?.[0].http?.headers);
    expect(spec.tools?.[0].http?.parameters).toEqual(fullSpec.tools?.[0].http?.parameters);
    expect(spec.tools?.[1].transfer?.allowedNumbers).toEqual(["+14155550100"]);
    expect(spec.webhooks).toEqual(fullSpec.webhooks);
    expect(spec.analysis?.fields).toEqual(fullSpec.analysis?.fields);
  });

  it("drops cleared optional fields instead of sending empty strings", () => {
    const values = specToValues("a", fullSpec);
    values.displayName = "";
    values.llm.temperature = "";
    values.greetingText = "  ";
    const spec = valuesToSpec(values, fullSpec);
    expect("displayName" in spec).toBe(false);
    expect("temperature" in (spec.llm ?? {})).toBe(false);
    expect(spec.greeting).toEqual({ mode: "WaitForCaller" });
  });

  it("gives a tool only the settings of its type", () => {
    const values = specToValues("a", {});
    values.tools = [{ ...newTool("EndCall"), url: "https://left-over.example.com" }];
    const [tool] = valuesToSpec(values).tools ?? [];
    expect(tool).toEqual({ name: "end_call", description: "", type: "EndCall" });
  });
});

describe("agentFormSchema", () => {
  const valid = () => specToValues("front-desk", fullSpec);

  function messages(values: unknown): Record<string, string> {
    const result = agentFormSchema.safeParse(values);
    if (result.success) return {};
    return Object.fromEntries(result.error.issues.map((i) => [i.path.join("."), i.message]));
  }

  it("refuses a name Kubernetes would refuse", () => {
    expect(messages({ ...valid(), name: "Front Desk" }).name).toMatch(/Lowercase/);
  });

  it("checks the endpointing delays against each other", () => {
    const values = valid();
    values.turnDetection.minEndpointingDelayMs = 7000;
    values.turnDetection.maxEndpointingDelayMs = 6000;
    expect(messages(values)["turnDetection.minEndpointingDelayMs"]).toMatch(/must not exceed/);
  });

  it("checks HTTP tools' URL and argument schema typed as JSON", () => {
    const values = valid();
    values.tools[0].url = "ftp://x";
    values.tools[0].argumentMode = "json";
    values.tools[0].parameters = "{not json";
    const found = messages(values);
    expect(found["tools.0.url"]).toMatch(/http/);
    expect(found["tools.0.parameters"]).toMatch(/Not valid JSON/);
  });

  it("checks the argument list's names", () => {
    const values = valid();
    expect(values.tools[0].argumentMode).toBe("list");
    values.tools[0].arguments.push({ name: "day", type: "number", description: "", required: false });
    expect(messages(values)["tools.0.arguments"]).toBe('Argument 2: "day" is used twice.');
  });

  it("edits a schema a list cannot show as JSON, and sends it unchanged", () => {
    const parameters = { type: "object", properties: { when: { type: "string", format: "date-time" } } };
    const spec: AgentSpec = { tools: [{ name: "book", type: "HTTP", description: "", http: { url: "https://x.example.com", parameters } }] };
    const values = specToValues("a", spec);
    expect(values.tools[0].argumentMode).toBe("json");
    expect(valuesToSpec(values, spec).tools?.[0].http?.parameters).toEqual(parameters);
  });

  it("checks transfer numbers are E.164", () => {
    const values = valid();
    values.tools[1].allowedNumbers = "+14155550100, 555-1234";
    expect(messages(values)["tools.1.allowedNumbers"]).toBe(
      "Not in E.164 form (+ country code and number): 555-1234",
    );
  });

  it("refuses two tools with one name, and a webhook without https", () => {
    const values = valid();
    values.tools[2].name = "book";
    values.webhooks[0].url = "http://crm.example.com";
    const found = messages(values);
    expect(found["tools.2.name"]).toMatch(/Another tool/);
    expect(found["webhooks.0.url"]).toMatch(/https/);
  });

  it("refuses a temperature outside 0..2", () => {
    const values = valid();
    values.llm.temperature = "2.5";
    expect(messages(values)["llm.temperature"]).toMatch(/between 0 and 2/);
  });
});

it("splitList accepts commas and lines", () => {
  expect(splitList("+1415 ,\n\n+1416\n")).toEqual(["+1415", "+1416"]);
});
