/** The HTTP tool's argument schema: a JSON Schema object the LLM fills in. The editor shows it
 * as a list of arguments when it is that simple, and as JSON otherwise. */

export const ARGUMENT_TYPES = ["string", "number", "integer", "boolean"] as const;
export type ArgumentType = (typeof ARGUMENT_TYPES)[number];

export interface ArgumentRow {
  name: string;
  type: ArgumentType;
  description: string;
  required: boolean;
}

export type JsonObject = { [key: string]: unknown };

const ARGUMENT_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The JSON Schema for a list of arguments. */
export function rowsToSchema(rows: readonly ArgumentRow[]): JsonObject {
  const properties: JsonObject = {};
  for (const row of rows) {
    properties[row.name] = row.description
      ? { type: row.type, description: row.description }
      : { type: row.type };
  }
  const required = rows.filter((r) => r.required).map((r) => r.name);
  const schema: JsonObject = { type: "object", properties };
  if (required.length > 0) schema.required = required;
  return schema;
}

/** The argument list a schema stands for, or null when the schema says more than a list can
 * (nested objects, enums, formats...), in which case it is edited as JSON. */
export function schemaToRows(schema: unknown): ArgumentRow[] | null {
  if (!isObject(schema)) return null;
  if (Object.keys(schema).length === 0) return [];
  const allowed = new Set(["type", "properties", "required"]);
  if (Object.keys(schema).some((k) => !allowed.has(k)) || schema.type !== "object") return null;
  const properties = schema.properties ?? {};
  const required = schema.required ?? [];
  if (!isObject(properties) || !Array.isArray(required)) return null;
  const rows: ArgumentRow[] = [];
  for (const [name, property] of Object.entries(properties)) {
    if (!isObject(property)) return null;
    const extra = Object.keys(property).filter((k) => k !== "type" && k !== "description");
    const type = property.type;
    if (extra.length > 0 || !ARGUMENT_TYPES.includes(type as ArgumentType)) return null;
    if (property.description !== undefined && typeof property.description !== "string") return null;
    rows.push({
      name,
      type: type as ArgumentType,
      description: (property.description as string | undefined) ?? "",
      required: required.includes(name),
    });
  }
  return rows;
}

/** Problems with an argument list, as messages for a person (empty when it is fine). */
export function rowProblems(rows: readonly ArgumentRow[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  rows.forEach((row, index) => {
    if (!ARGUMENT_NAME.test(row.name)) {
      problems.push(
        `Argument ${index + 1}: the name must start with a letter or _ and use letters, digits and _.`,
      );
    } else if (seen.has(row.name)) {
      problems.push(`Argument ${index + 1}: "${row.name}" is used twice.`);
    }
    seen.add(row.name);
  });
  return problems;
}

export type ParsedSchema = { ok: true; schema: JsonObject } | { ok: false; message: string };

/** A schema typed as JSON text: it must be an object whose type is "object". */
export function parseSchemaText(text: string): ParsedSchema {
  if (text.trim() === "") return { ok: true, schema: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `Not valid JSON: ${(error as Error).message}` };
  }
  if (!isObject(value)) return { ok: false, message: "The schema must be a JSON object." };
  if (value.type !== undefined && value.type !== "object") {
    return { ok: false, message: 'The arguments schema must have "type": "object".' };
  }
  if (value.properties !== undefined && !isObject(value.properties)) {
    return { ok: false, message: '"properties" must be an object.' };
  }
  return { ok: true, schema: value };
}
