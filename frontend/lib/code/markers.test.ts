import { describe, expect, it } from "vitest";

import { ERROR_SEVERITY, fieldIssuesToCodeIssues, issueCounts, issuesToMarkers } from "./markers";

describe("issuesToMarkers", () => {
  const issues = [
    { path: "agent.py", line: 3, message: "syntax error: invalid syntax" },
    { path: "agent.py", line: null, message: "entrypoint agent:entrypoint is missing" },
    { path: "helpers.py", line: 1, message: "elsewhere" },
    { path: "agent.py", line: 99, message: "past the end" },
  ];

  it("marks the open file's issues on their lines as errors", () => {
    const markers = issuesToMarkers(issues, "agent.py", 10);
    expect(markers.map((m) => [m.startLineNumber, m.endLineNumber, m.message])).toEqual([
      [3, 3, "syntax error: invalid syntax"],
      [1, 1, "entrypoint agent:entrypoint is missing"],
      [10, 10, "past the end"],
    ]);
    expect(markers.every((m) => m.severity === ERROR_SEVERITY && m.startColumn === 1)).toBe(true);
  });

  it("has nothing for a file without issues, and copes with an empty file", () => {
    expect(issuesToMarkers(issues, "other.py", 5)).toEqual([]);
    expect(issuesToMarkers([{ path: "a.py", line: 4, message: "x" }], "a.py", 0)[0].startLineNumber).toBe(1);
  });
});

describe("fieldIssuesToCodeIssues", () => {
  it("splits path:line fields and keeps plain paths", () => {
    expect(
      fieldIssuesToCodeIssues([
        { field: "lib/x.py:12", message: "bad" },
        { field: "requirements.txt", message: "pip option" },
        { field: null, message: "no field" },
      ]),
    ).toEqual([
      { path: "lib/x.py", line: 12, message: "bad" },
      { path: "requirements.txt", line: null, message: "pip option" },
      { path: "", line: null, message: "no field" },
    ]);
  });
});

describe("issueCounts", () => {
  it("counts issues per file", () => {
    const counts = issueCounts([
      { path: "a.py", message: "1" },
      { path: "a.py", message: "2" },
      { path: "b.py", message: "3" },
    ]);
    expect(Object.fromEntries(counts)).toEqual({ "a.py": 2, "b.py": 1 });
  });
});
