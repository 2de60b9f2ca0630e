import { describe, expect, it } from "vitest";

import { parseUnifiedDiff } from "./diff";

describe("parseUnifiedDiff", () => {
  it("numbers old and new lines through hunks", () => {
    const diff = ["--- a/agent.py", "+++ b/agent.py", "@@ -1,3 +1,3 @@", " import x", "-old = 1", "+new = 2", " end", ""].join("\n");
    const lines = parseUnifiedDiff(diff);
    expect(lines.map((l) => [l.kind, l.oldLine, l.newLine])).toEqual([
      ["header", null, null],
      ["header", null, null],
      ["hunk", null, null],
      ["context", 1, 1],
      ["removed", 2, null],
      ["added", null, 2],
      ["context", 3, 3],
    ]);
  });

  it("keeps a second hunk's numbers and the no-newline marker", () => {
    const diff = "@@ -10,1 +12,2 @@\n a\n+b\n\\ No newline at end of file\n";
    const lines = parseUnifiedDiff(diff);
    expect(lines[1]).toMatchObject({ kind: "context", oldLine: 10, newLine: 12 });
    expect(lines[2]).toMatchObject({ kind: "added", newLine: 13 });
    expect(lines[3].kind).toBe("header");
  });
});
