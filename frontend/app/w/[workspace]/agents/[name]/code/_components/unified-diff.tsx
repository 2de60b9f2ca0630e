/** A rendered unified diff (the API's per-file diff of two revisions). */

import { parseUnifiedDiff, type DiffLineKind } from "@/lib/code/diff";

const LINE_CLASS: Record<DiffLineKind, string> = {
  header: "text-muted-foreground",
  hunk: "bg-muted text-muted-foreground",
  added: "bg-success/15",
  removed: "bg-destructive/15",
  context: "",
};
const SIGN: Record<DiffLineKind, string> = { header: "", hunk: "", added: "added", removed: "removed", context: "" };

export function UnifiedDiff({ diff, label }: { diff: string; label: string }) {
  const lines = parseUnifiedDiff(diff);
  return (
    <div className="overflow-x-auto rounded-md border" role="region" aria-label={label} tabIndex={0}>
      <table className="w-full border-collapse font-mono text-xs">
        <tbody>
          {lines.map((line, index) => (
            <tr key={index} className={LINE_CLASS[line.kind]} data-kind={line.kind}>
              <td className="w-10 px-1 text-right text-muted-foreground select-none">{line.oldLine ?? ""}</td>
              <td className="w-10 px-1 text-right text-muted-foreground select-none">{line.newLine ?? ""}</td>
              <td className="px-2 whitespace-pre">
                {SIGN[line.kind] ? <span className="sr-only">{SIGN[line.kind]}: </span> : null}
                {line.text}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
