/** A unified diff (as the API's revision diff returns per file) split into lines a page can
 * colour, with old and new line numbers. */

export type DiffLineKind = "header" | "hunk" | "added" | "removed" | "context";

export interface DiffLine {
  kind: DiffLineKind;
  text: string;
  oldLine: number | null;
  newLine: number | null;
}

const HUNK = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

export function parseUnifiedDiff(diff: string): DiffLine[] {
  const lines: DiffLine[] = [];
  let oldLine = 0;
  let newLine = 0;
  let inHunk = false;
  for (const text of diff.split("\n")) {
    const hunk = HUNK.exec(text);
    if (hunk) {
      oldLine = Number(hunk[1]);
      newLine = Number(hunk[2]);
      inHunk = true;
      lines.push({ kind: "hunk", text, oldLine: null, newLine: null });
    } else if (!inHunk || text.startsWith("--- ") || text.startsWith("+++ ")) {
      if (text !== "") lines.push({ kind: "header", text, oldLine: null, newLine: null });
    } else if (text.startsWith("+")) {
      lines.push({ kind: "added", text, oldLine: null, newLine: newLine++ });
    } else if (text.startsWith("-")) {
      lines.push({ kind: "removed", text, oldLine: oldLine++, newLine: null });
    } else if (text.startsWith("\\")) {
      lines.push({ kind: "header", text, oldLine: null, newLine: null });
    } else if (text !== "" || lines.length === 0) {
      lines.push({ kind: "context", text, oldLine: oldLine++, newLine: newLine++ });
    }
  }
  return lines;
}
