/** A call's cost breakdown. The API types it as an open object (it is stored JSON, versioned by
 * the price catalogue), so the page reads it through this schema rather than trusting it. Zod's
tree-shakable "mini" build: the call pages carry only the checks they use. */

import * as z from "zod/mini";

const costLine = z.object({
  item: z.string(),
  quantity: z.number(),
  unitMicros: z.nullable(z.number()),
  per: z.nullable(z.number()),
  micros: z.nullable(z.number()),
  status: z.enum(["priced", "unpriced"]),
  source: z.nullish(z.string()),
});

export const costBreakdownSchema = z.object({
  version: z.string(),
  currency: z.string().check(z.length(3, "a three-letter currency code")),
  status: z.enum(["priced", "unpriced"]),
  totalMicros: z.nullable(z.number()),
  pricedMicros: z.number(),
  unpricedItems: z.array(z.string()),
  lines: z.array(costLine),
});

export type CostBreakdown = z.infer<typeof costBreakdownSchema>;
export type CostLine = z.infer<typeof costLine>;

export type ParsedCost = { kind: "none" } | { kind: "breakdown"; cost: CostBreakdown } | { kind: "unreadable"; problem: string };

export function parseCost(value: unknown): ParsedCost {
  if (value === null || value === undefined) return { kind: "none" };
  const result = costBreakdownSchema.safeParse(value);
  if (result.success) return { kind: "breakdown", cost: result.data };
  const issue = result.error.issues[0];
  return { kind: "unreadable", problem: `${issue?.path.join(".") || "cost"}: ${issue?.message ?? "not valid"}` };
}

/** Lines with the dearest first; unpriced lines last (they carry no amount). */
export function sortedLines(cost: CostBreakdown): CostLine[] {
  return [...cost.lines].sort((a, b) => (b.micros ?? -1) - (a.micros ?? -1) || a.item.localeCompare(b.item));
}

/** Post-call analysis as label/value rows: scalars as text, anything else as JSON. */
export function analysisRows(analysis: Record<string, unknown> | null | undefined): { key: string; value: string; structured: boolean }[] {
  if (!analysis) return [];
  return Object.entries(analysis)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => {
      if (value === null || ["string", "number", "boolean"].includes(typeof value)) return { key, value: value === null ? "—" : String(value), structured: false };
      return { key, value: JSON.stringify(value, null, 2), structured: true };
    });
}
