import { describe, expect, it } from "vitest";

import { activeFilterCount, filterProblem, filtersToQuery, filtersToSearch, localDay, parseFilters } from "./filters";

describe("call log filters", () => {
  it("reads the filters a query string carries", () => {
    const filters = parseFilters(new URLSearchParams("q=refund%20%22next%20week%22&agent=front-desk&direction=Inbound&status=Ended&endReason=Lost&minSeconds=30"));
    expect(filters).toEqual({ q: 'refund "next week"', agent: "front-desk", direction: "Inbound", status: "Ended", endReason: "Lost", minSeconds: 30 });
  });

  it("drops one bad value, not the rest", () => {
    const filters = parseFilters(new URLSearchParams("direction=Sideways&status=Ended&minSeconds=-3&from=2026-13-45&q=%20%20"));
    expect(filters).toEqual({ status: "Ended" });
  });

  it("accepts a phone number typed with spaces and dashes, in E.164", () => {
    expect(parseFilters({ phoneNumber: "+1 415-555-0100" })).toEqual({ phoneNumber: "+14155550100" });
    expect(parseFilters({ phoneNumber: "4155550100" })).toEqual({});
    expect(filterProblem("phoneNumber", "4155550100")).toMatch(/E\.164/);
    expect(filterProblem("phoneNumber", "")).toBeNull();
  });

  it("drops an end day before the start day", () => {
    expect(parseFilters({ from: "2026-11-10", to: "2026-11-03" })).toEqual({ from: "2026-11-10" });
  });

  it("round-trips through the query string in a stable order", () => {
    const filters = { status: "Failed", q: "hello", minSeconds: 5 } as const;
    const search = filtersToSearch(filters);
    expect(search).toBe("q=hello&status=Failed&minSeconds=5");
    expect(parseFilters(new URLSearchParams(search))).toEqual(filters);
    expect(filtersToSearch({})).toBe("");
  });

  it("maps days to an RFC 3339 range whose end is exclusive, and seconds to milliseconds", () => {
    const query = filtersToQuery({ from: "2026-11-03", to: "2026-11-04", minSeconds: 90, agent: "a" });
    expect(query).toEqual({
      agent: "a",
      from: localDay("2026-11-03").toISOString(),
      to: localDay("2026-11-05").toISOString(),
      minDurationMs: 90_000,
    });
    // Two whole local days, whatever the time zone (a DST change moves it by an hour at most).
    const hours = (Date.parse(query.to!) - Date.parse(query.from!)) / 3_600_000;
    expect(Math.abs(hours - 48)).toBeLessThanOrEqual(1);
    expect(query.from).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it("month and year ends roll over", () => {
    expect(filtersToQuery({ to: "2026-12-31" }).to).toBe(localDay("2027-01-01").toISOString());
  });

  it("counts the filters set", () => {
    expect(activeFilterCount({})).toBe(0);
    expect(activeFilterCount({ q: "x", status: "Ended" })).toBe(2);
  });
});
