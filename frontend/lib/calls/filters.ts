/** The call log's filters: read from the page's query string (zod, field by field, so one
 * hand-edited bad value drops that filter, not the page), written back to it, and mapped to the
 * API's query parameters (local calendar days become RFC 3339 instants). */

// Zod's tree-shakable "mini" build (the call pages load only these checks); it carries no
// default messages, so each check a person can trip says its own.
import * as z from "zod/mini";

import type { CallDirection, CallStatus, EndReason } from "@/lib/api/types";

export const DIRECTIONS: readonly CallDirection[] = ["Web", "Inbound", "Outbound"];
export const STATUSES: readonly CallStatus[] = ["Dialing", "Ringing", "Active", "Ended", "Busy", "NoAnswer", "Failed"];
export const END_REASONS: readonly EndReason[] = ["CallerHungUp", "AgentEnded", "Transferred", "Timeout", "Error", "Drained", "Lost"];

const text = (max: number) => z.string().check(z.trim(), z.minLength(1, "Type something to search for."), z.maxLength(max, `Use at most ${max} characters.`));
const day = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, "Use a YYYY-MM-DD date."), z.refine(isCalendarDay, "Not a date."));
const oneOf = <T extends string>(values: readonly T[]) => z.enum(values as [T, ...T[]], "Not one of the choices.");

/** Whether YYYY-MM-DD names a real day (Date would roll 2026-13-45 over into 2027). */
function isCalendarDay(value: string): boolean {
  const [year, month, date] = value.split("-").map(Number);
  const parsed = localDay(value);
  return parsed.getFullYear() === year && parsed.getMonth() === month - 1 && parsed.getDate() === date;
}

/** One schema per filter, in the order the query string lists them. */
const FIELDS = {
  q: text(200),
  agent: text(253),
  direction: oneOf(DIRECTIONS),
  status: oneOf(STATUSES),
  endReason: oneOf(END_REASONS),
  // The API matches the line, caller or callee exactly, in E.164; spaces and dashes are typing.
  phoneNumber: z.pipe(
    z.pipe(z.string(), z.transform((value: string) => value.replace(/[\s()-]/g, ""))),
    z.string().check(z.regex(/^\+[1-9]\d{1,14}$/, "Use the E.164 form, e.g. +14155550100.")),
  ),
  from: day,
  to: day,
  minSeconds: z.coerce.number("Use a number of seconds.").check(
    z.refine(Number.isInteger, "Use whole seconds."),
    z.minimum(0, "Use 0 seconds or more."),
    z.maximum(1_000_000_000, "Use fewer seconds."),
  ),
} as const;

export type FilterKey = keyof typeof FIELDS;
export type CallFilters = { [K in FilterKey]?: z.output<(typeof FIELDS)[K]> };
export const FILTER_KEYS = Object.keys(FIELDS) as FilterKey[];

/** The message for a value the person typed, or null when it is a valid filter (or empty). */
export function filterProblem(key: FilterKey, value: string): string | null {
  if (value.trim() === "") return null;
  const result = FIELDS[key].safeParse(value);
  return result.success ? null : (result.error.issues[0]?.message ?? "Not valid.");
}

/** The filters a query string carries; invalid or empty values are left out. */
export function parseFilters(params: URLSearchParams | Record<string, string | undefined>): CallFilters {
  const get = (key: string) => (params instanceof URLSearchParams ? params.get(key) : params[key]) ?? undefined;
  const filters: Record<string, unknown> = {};
  for (const key of FILTER_KEYS) {
    const raw = get(key);
    if (raw === undefined || raw.trim() === "") continue;
    const result = FIELDS[key].safeParse(raw);
    if (result.success) filters[key] = result.data;
  }
  if (filters.from && filters.to && (filters.from as string) > (filters.to as string)) delete filters.to;
  return filters as CallFilters;
}

/** The query string for the filters (stable order, only the ones set). */
export function filtersToSearch(filters: CallFilters): string {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = filters[key];
    if (value !== undefined && value !== "") params.set(key, String(value));
  }
  return params.toString();
}

/** Midnight at the start of a YYYY-MM-DD day in the browser's time zone. */
export function localDay(value: string): Date {
  const [year, month, date] = value.split("-").map(Number);
  return new Date(year, month - 1, date);
}

export interface SessionQuery {
  q?: string;
  agent?: string;
  direction?: CallDirection;
  status?: CallStatus;
  endReason?: string;
  phoneNumber?: string;
  from?: string;
  to?: string;
  minDurationMs?: number;
}

/** The API's query parameters: `from` is the start of the first day, `to` the end of the last
 * (the API's `to` is exclusive), durations in milliseconds. */
export function filtersToQuery(filters: CallFilters): SessionQuery {
  const query: SessionQuery = {
    q: filters.q,
    agent: filters.agent,
    direction: filters.direction,
    status: filters.status,
    endReason: filters.endReason,
    phoneNumber: filters.phoneNumber,
  };
  if (filters.from) query.from = localDay(filters.from).toISOString();
  if (filters.to) {
    const end = localDay(filters.to);
    end.setDate(end.getDate() + 1);
    query.to = end.toISOString();
  }
  if (filters.minSeconds !== undefined) query.minDurationMs = filters.minSeconds * 1000;
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)) as SessionQuery;
}

/** How many filters are set (for the "Clear filters" button and the empty state's wording). */
export function activeFilterCount(filters: CallFilters): number {
  return FILTER_KEYS.filter((key) => filters[key] !== undefined).length;
}
