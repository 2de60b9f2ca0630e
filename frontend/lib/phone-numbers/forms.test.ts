import { describe, expect, it } from "vitest";

import { buyFormSchema, callFormSchema, isE164, normalisePhone, searchFormSchema, searchQuery, SEARCH_DEFAULTS, suggestLineName } from "./forms";

describe("E.164", () => {
  it("accepts + and 7 to 15 digits not starting with 0", () => {
    expect(isE164("+14155550123")).toBe(true);
    expect(isE164("+1234567")).toBe(true);
    expect(isE164("+123456789012345")).toBe(true);
  });
  it("refuses what is not E.164", () => {
    for (const bad of ["14155550123", "+04155550123", "+123456", "+1234567890123456", "+1 415 555 0123", ""]) expect(isE164(bad), bad).toBe(false);
  });
  it("normalises what people type", () => {
    expect(normalisePhone("+1 (415) 555-0123")).toBe("+14155550123");
    expect(normalisePhone("+44.20.7946.0958")).toBe("+442079460958");
  });
});

describe("the search form", () => {
  it("maps the defaults to the API's query, empty fields left out", () => {
    expect(searchQuery(searchFormSchema.parse(SEARCH_DEFAULTS))).toEqual({ country: "US", numberType: "Local", voice: true, limit: 20 });
  });
  it("sends the area code, the pattern and an upper-cased country", () => {
    const values = searchFormSchema.parse({ ...SEARCH_DEFAULTS, country: " gb ", numberType: "Mobile", areaCode: "415", pattern: "55%", voiceOnly: false });
    expect(searchQuery(values, 10)).toEqual({ country: "GB", numberType: "Mobile", areaCode: "415", contains: "55%", voice: false, limit: 10 });
  });
  it("refuses what the API would", () => {
    const result = searchFormSchema.safeParse({ ...SEARCH_DEFAULTS, country: "USA", areaCode: "4", pattern: "a b" });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((i) => i.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["country", "areaCode", "pattern"]));
  });
});

describe("buying and calling", () => {
  it("suggests a valid line name from the number", () => {
    const name = suggestLineName("+14155550101");
    expect(name).toBe("line-14155550101");
    expect(buyFormSchema.safeParse({ name, agent: "front-desk", outbound: true }).success).toBe(true);
  });
  it("refuses a bad line name and a missing agent", () => {
    const result = buyFormSchema.safeParse({ name: "Line_1", agent: "", outbound: false });
    expect(result.error?.issues.map((i) => i.path.join("."))).toEqual(["name", "agent"]);
  });
  it("takes a destination as typed and sends it as E.164", () => {
    expect(callFormSchema.parse({ phoneNumber: "support", to: "+1 415 555 0123" })).toEqual({ phoneNumber: "support", to: "+14155550123" });
    expect(callFormSchema.safeParse({ phoneNumber: "support", to: "415 555 0123" }).success).toBe(false);
  });
});
