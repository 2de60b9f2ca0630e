import { describe, expect, it } from "vitest";

import { describeItem, describeUsage, formatDuration, formatMicros, formatMs, formatUnitPrice } from "./format";

describe("money in micro-units", () => {
  it("shows cents for whole amounts", () => {
    expect(formatMicros(58_211_000)).toBe("$58.21");
    expect(formatMicros(1_000_000)).toBe("$1.00");
    expect(formatMicros(0)).toBe("$0.00");
  });

  it("keeps the digits of a small per-call amount", () => {
    expect(formatMicros(25_310)).toBe("$0.0253");
    expect(formatMicros(782)).toBe("$0.000782");
    expect(formatMicros(1)).toBe("$0.000001");
  });

  it("says nothing is known for null (unpriced or running)", () => {
    expect(formatMicros(null)).toBe("—");
    expect(formatMicros(undefined)).toBe("—");
  });

  it("uses the breakdown's currency", () => {
    expect(formatMicros(2_500_000, "EUR")).toBe("€2.50");
  });

  it("writes a unit price with its quantity", () => {
    expect(formatUnitPrice(150_000, 1_000_000)).toBe("$0.15 per 1,000,000");
    expect(formatUnitPrice(null, null)).toBe("no price");
  });
});

describe("durations and usage", () => {
  it("writes m:ss, then h:mm:ss", () => {
    expect(formatDuration(180_000)).toBe("3:00");
    expect(formatDuration(61_499)).toBe("1:01");
    expect(formatDuration(3_723_000)).toBe("1:02:03");
    expect(formatDuration(null)).toBe("—");
  });

  it("writes latency in ms below a second", () => {
    expect(formatMs(742)).toBe("742 ms");
    expect(formatMs(1210)).toBe("1.2 s");
    expect(formatMs(null)).toBe("—");
  });

  it("names usage metrics and their units", () => {
    expect(describeUsage("stt_audio_ms", 62_000)).toEqual({ label: "Speech-to-text audio", amount: "1:02" });
    expect(describeUsage("llm_input_tokens", 5210)).toEqual({ label: "LLM input tokens", amount: "5,210" });
    expect(describeUsage("something_new", 3)).toEqual({ label: "something_new", amount: "3" });
  });

  it("splits a catalogue item", () => {
    expect(describeItem("openai/gpt-4o-mini/llm_input_tokens")).toEqual({ provider: "openai", model: "gpt-4o-mini", metric: "llm_input_tokens" });
  });
});
