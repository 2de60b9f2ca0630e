import { describe, expect, it } from "vitest";

import { parseSchemaText, rowProblems, rowsToSchema, schemaToRows } from "./argument-schema";

describe("argument rows and JSON Schema", () => {
  it("round-trip a flat schema", () => {
    const schema = {
      type: "object",
      properties: {
        day: { type: "string", description: "ISO date" },
        party_size: { type: "integer" },
      },
      required: ["day"],
    };
    const rows = schemaToRows(schema);
    expect(rows).toEqual([
      { name: "day", type: "string", description: "ISO date", required: true },
      { name: "party_size", type: "integer", description: "", required: false },
    ]);
    expect(rowsToSchema(rows ?? [])).toEqual(schema);
  });

  it("leave a schema a list cannot show to the JSON editor", () => {
    expect(schemaToRows({ type: "object", properties: { when: { type: "string", format: "date" } } })).toBeNull();
    expect(schemaToRows({ type: "object", properties: { a: { type: "object" } } })).toBeNull();
    expect(schemaToRows({ type: "object", additionalProperties: false })).toBeNull();
    expect(schemaToRows({})).toEqual([]);
  });

  it("name bad and repeated argument names", () => {
    const problems = rowProblems([
      { name: "ok", type: "string", description: "", required: false },
      { name: "ok", type: "string", description: "", required: false },
      { name: "9lives", type: "number", description: "", required: false },
    ]);
    expect(problems).toEqual([
      'Argument 2: "ok" is used twice.',
      "Argument 3: the name must start with a letter or _ and use letters, digits and _.",
    ]);
  });
});

describe("parseSchemaText", () => {
  it("accepts an object schema and an empty text", () => {
    expect(parseSchemaText('{"type":"object"}')).toEqual({ ok: true, schema: { type: "object" } });
    expect(parseSchemaText("  ")).toEqual({ ok: true, schema: {} });
  });

  it("explains what is wrong", () => {
    expect(parseSchemaText("[1]")).toEqual({ ok: false, message: "The schema must be a JSON object." });
    expect(parseSchemaText('{"type":"string"}')).toMatchObject({ ok: false, message: expect.stringMatching(/"type": "object"/) });
    expect(parseSchemaText("{")).toMatchObject({ ok: false, message: expect.stringMatching(/^Not valid JSON/) });
  });
});
