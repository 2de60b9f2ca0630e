/** Which side panels of the code editor are open (the file tree; deploy, build and assistant),
 * kept in localStorage as one small JSON object so the choice survives reloads and visits. */

export interface CodePanels {
  files: boolean;
  tools: boolean;
}

export type CodePanel = keyof CodePanels;

export const PANELS_STORAGE_KEY = "arkenos:code-panels";

/** Both open: what a first visit, and anything unreadable in storage, gets. */
export const DEFAULT_PANELS: Readonly<CodePanels> = Object.freeze({ files: true, tools: true });

/** The stored text as panel states; a missing or malformed value (or field) falls back to the default. */
export function parsePanels(stored: string | null): CodePanels {
  if (!stored) return { ...DEFAULT_PANELS };
  let value: unknown;
  try {
    value = JSON.parse(stored);
  } catch {
    return { ...DEFAULT_PANELS };
  }
  const record = typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  const pick = (panel: CodePanel) => (typeof record[panel] === "boolean" ? (record[panel] as boolean) : DEFAULT_PANELS[panel]);
  return { files: pick("files"), tools: pick("tools") };
}

export function serializePanels(panels: CodePanels): string {
  return JSON.stringify({ files: panels.files, tools: panels.tools });
}

export function togglePanel(panels: CodePanels, panel: CodePanel): CodePanels {
  return { ...panels, [panel]: !panels[panel] };
}
