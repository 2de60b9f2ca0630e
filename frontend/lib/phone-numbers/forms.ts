/** The phone numbers page's forms: a search of Twilio's inventory, buying one of the numbers it
 * offers, and an outbound call. Their rules are the API's own (so mistakes are caught before a
 * round trip), and `searchQuery` maps the search form to the API's query parameters. */

// Zod's tree-shakable "mini" build (this page loads only the checks it uses); it has no default
// messages, so every check a person can trip says its own.
import * as z from "zod/mini";

export const E164 = /^\+[1-9][0-9]{6,14}$/;
const RESOURCE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const AREA_CODE = /^[0-9]{2,5}$/;
const CONTAINS = /^\+?[0-9A-Za-z*%]{2,15}\$?$/;

export const NUMBER_TYPES = ["Local", "TollFree", "Mobile"] as const;
export type NumberType = (typeof NUMBER_TYPES)[number];

/** Whether `value` is an E.164 number: +, a country code not starting with 0, 7 to 15 digits. */
export function isE164(value: string): boolean {
  return E164.test(value);
}

/** What a person types for a number, as E.164: spaces, dashes, dots and brackets dropped. */
export function normalisePhone(value: string): string {
  return value.replace(/[\s().-]/g, "");
}

const optional = (pattern: RegExp, message: string) => z.string().check(z.trim(), z.refine((v) => v === "" || pattern.test(v), message));

export const searchFormSchema = z.object({
  country: z.pipe(
    z.pipe(z.string(), z.transform((v: string) => v.trim().toUpperCase())),
    z.string().check(z.regex(/^[A-Z]{2}$/, "Two letters, e.g. US.")),
  ),
  numberType: z.enum(NUMBER_TYPES, "Choose a kind of number."),
  areaCode: optional(AREA_CODE, "2 to 5 digits, e.g. 415."),
  // Not "contains": a form control of that name shadows HTMLFormElement.contains().
  pattern: optional(CONTAINS, "2 to 15 digits or letters; * is one digit, % any digits."),
  voiceOnly: z.boolean(),
});
export type SearchFormInput = z.input<typeof searchFormSchema>;
export type SearchFormValues = z.output<typeof searchFormSchema>;

export const SEARCH_DEFAULTS: SearchFormInput = { country: "US", numberType: "Local", areaCode: "", pattern: "", voiceOnly: true };

export interface SearchQuery {
  country: string;
  numberType: NumberType;
  areaCode?: string;
  contains?: string;
  voice?: boolean;
  limit: number;
}

/** The API's query for a search: empty fields left out; voice only sent when it filters. */
export function searchQuery(values: SearchFormValues, limit = 20): SearchQuery {
  const query: SearchQuery = { country: values.country, numberType: values.numberType, limit };
  if (values.areaCode) query.areaCode = values.areaCode;
  if (values.pattern) query.contains = values.pattern;
  query.voice = values.voiceOnly;
  return query;
}

/** A line's name from its number: "line-" and the digits (a valid resource name). */
export function suggestLineName(phoneNumber: string): string {
  return `line-${phoneNumber.replace(/[^0-9]/g, "")}`;
}

export const buyFormSchema = z.object({
  name: z.string().check(z.trim(), z.maxLength(63, "At most 63 characters."), z.regex(RESOURCE_NAME, "Lowercase letters, digits and -, starting and ending with a letter or digit.")),
  agent: z.string().check(z.minLength(1, "Choose the agent that answers the line.")),
  outbound: z.boolean(),
});
export type BuyFormValues = z.infer<typeof buyFormSchema>;

export const callFormSchema = z.object({
  phoneNumber: z.string().check(z.minLength(1, "Choose the line to call from.")),
  to: z.pipe(
    z.pipe(z.string(), z.transform(normalisePhone)),
    z.string().check(z.regex(E164, "An E.164 number: + and the country code, e.g. +14155550123.")),
  ),
});
export type CallFormInput = z.input<typeof callFormSchema>;
export type CallFormValues = z.output<typeof callFormSchema>;
