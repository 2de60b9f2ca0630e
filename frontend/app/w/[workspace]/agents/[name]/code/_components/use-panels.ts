"use client";

import { useCallback, useState, useSyncExternalStore } from "react";

import { PANELS_STORAGE_KEY, parsePanels, serializePanels, togglePanel, type CodePanel, type CodePanels } from "@/lib/code/panels";

/** The stored text, or null when storage is unavailable (private mode, blocked). */
function readStored(): string | null {
  try {
    return window.localStorage.getItem(PANELS_STORAGE_KEY);
  } catch {
    return null;
  }
}

/** Another tab's change arrives as a `storage` event; this tab's own writes dispatch one too. */
function subscribe(onChange: () => void): () => void {
  const listener = (event: StorageEvent) => {
    if (event.key === null || event.key === PANELS_STORAGE_KEY) onChange();
  };
  window.addEventListener("storage", listener);
  return () => window.removeEventListener("storage", listener);
}

/** The code editor's open panels, kept across reloads (and shared by the person's tabs); the
 * server's HTML has the default. Where storage refuses writes, the choice holds for the page. */
export function useCodePanels(): [CodePanels, (panel: CodePanel) => void] {
  const stored = useSyncExternalStore(subscribe, readStored, () => null);
  const [unsaved, setUnsaved] = useState<string | null>(null);
  const current = unsaved ?? stored;
  const toggle = useCallback(
    (panel: CodePanel) => {
      const next = serializePanels(togglePanel(parsePanels(current), panel));
      try {
        window.localStorage.setItem(PANELS_STORAGE_KEY, next);
      } catch {
        setUnsaved(next);
        return;
      }
      window.dispatchEvent(new StorageEvent("storage", { key: PANELS_STORAGE_KEY, newValue: next }));
    },
    [current],
  );
  return [parsePanels(current), toggle];
}
