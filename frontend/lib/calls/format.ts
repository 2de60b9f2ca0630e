/** How the call pages write money (the API counts it in integer micro-units), durations and
 * usage quantities. */

const MICROS_PER_UNIT = 1_000_000;

/** An amount of micro-units as currency: cents for whole amounts, more digits for the small
 * per-call amounts voice AI costs (a tenth of a cent still shows), never more than micro-units. */
export function formatMicros(micros: number | null | undefined, currency = "USD"): string {
  if (micros === null || micros === undefined) return "—";
  const magnitude = Math.abs(micros);
  const digits = magnitude === 0 || magnitude >= MICROS_PER_UNIT ? 2 : magnitude >= 10_000 ? 4 : 6;
  return new Intl.NumberFormat("en-US", {
    style: "currency",
    currency,
    minimumFractionDigits: 2,
    maximumFractionDigits: digits,
  }).format(micros / MICROS_PER_UNIT);
}

/** A duration as m:ss, or h:mm:ss from an hour on. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  const total = Math.round(ms / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}` : `${minutes}:${seconds}`;
}

/** Milliseconds as a latency figure ("742 ms", "1.2 s"). */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

const METRICS: Record<string, { label: string; unit: "ms" | "count" }> = {
  stt_audio_ms: { label: "Speech-to-text audio", unit: "ms" },
  llm_input_tokens: { label: "LLM input tokens", unit: "count" },
  llm_cached_input_tokens: { label: "LLM cached input tokens", unit: "count" },
  llm_output_tokens: { label: "LLM output tokens", unit: "count" },
  tts_characters: { label: "Text-to-speech characters", unit: "count" },
  tts_audio_ms: { label: "Text-to-speech audio", unit: "ms" },
  participant_ms: { label: "Room participant time", unit: "ms" },
  inbound_ms: { label: "Inbound phone time", unit: "ms" },
  outbound_ms: { label: "Outbound phone time", unit: "ms" },
};

/** A usage metric's label and its quantity in words a person reads ("1:02 of audio"). */
export function describeUsage(metric: string, quantity: number): { label: string; amount: string } {
  const known = METRICS[metric];
  if (!known) return { label: metric, amount: quantity.toLocaleString("en-US") };
  return { label: known.label, amount: known.unit === "ms" ? formatDuration(quantity) : quantity.toLocaleString("en-US") };
}

/** A catalogue item ("openai/gpt-4o-mini/llm_input_tokens") split for the cost table. */
export function describeItem(item: string): { provider: string; model: string; metric: string } {
  const [provider = item, model = "", metric = ""] = item.split("/");
  return { provider, model, metric };
}

/** A unit price: "$0.15 per 1,000,000". */
export function formatUnitPrice(micros: number | null, per: number | null, currency = "USD"): string {
  if (micros === null || per === null) return "no price";
  return `${formatMicros(micros, currency)} per ${per.toLocaleString("en-US")}`;
}
