/** Validation issues (POST .../code/validate, or a refused deploy's field issues) as editor
 * markers: one per issue of the open file, on its line (the whole file's first line when the
 * issue names no line). */

export interface CodeIssue {
  path: string;
  line?: number | null;
  message: string;
}

/** What Monaco's `editor.setModelMarkers` takes (its IMarkerData), without importing Monaco. */
export interface MarkerData {
  startLineNumber: number;
  startColumn: number;
  endLineNumber: number;
  endColumn: number;
  message: string;
  severity: number;
}

/** Monaco's MarkerSeverity.Error. */
export const ERROR_SEVERITY = 8;

/** Markers of the file at `path`; lines beyond the file's end are put on its last line. */
export function issuesToMarkers(issues: readonly CodeIssue[], path: string, lineCount: number): MarkerData[] {
  const last = Math.max(1, lineCount);
  return issues
    .filter((issue) => issue.path === path)
    .map((issue) => {
      const line = Math.min(Math.max(1, issue.line ?? 1), last);
      return {
        startLineNumber: line,
        startColumn: 1,
        endLineNumber: line,
        endColumn: Number.MAX_SAFE_INTEGER,
        message: issue.message,
        severity: ERROR_SEVERITY,
      };
    });
}

/** A refused deploy's field issues (`field` is `path:line` or `path`) as code issues. */
export function fieldIssuesToCodeIssues(issues: readonly { field?: string | null; message: string }[]): CodeIssue[] {
  return issues.map((issue) => {
    const field = issue.field ?? "";
    const match = /^(.*):(\d+)$/.exec(field);
    if (match) return { path: match[1], line: Number(match[2]), message: issue.message };
    return { path: field, line: null, message: issue.message };
  });
}

/** Issues per file path, for the file tree's counts. */
export function issueCounts(issues: readonly CodeIssue[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const issue of issues) counts.set(issue.path, (counts.get(issue.path) ?? 0) + 1);
  return counts;
}
