"use client";

import dynamic from "next/dynamic";
import { useState } from "react";

import { LoadingRows } from "@/components/states";
import { cn } from "@/lib/utils";

import type { CodeEditorProps } from "./monaco-editors";

/** The performance mark set when Monaco starts loading: the performance spec counts the
 * JavaScript fetched from then on as the editor's, apart from the page's own. */
export const MONACO_MARK = "arkenos:monaco-import";

/** Monaco is large (about 850 KB gzipped): it loads with the code page's editors only, in the
 * browser, after the page is drawn, and never with another route's JavaScript. */
function loadEditors() {
  if (performance.getEntriesByName(MONACO_MARK, "mark").length === 0) performance.mark(MONACO_MARK);
  return import("./monaco-editors");
}

/** Starts fetching Monaco before the first file has loaded, so the two overlap. */
export function preloadMonaco(): void {
  void loadEditors();
}

const MonacoCodeEditor = dynamic(() => loadEditors().then((m) => m.CodeEditor), { ssr: false, loading: () => null });

/** The file editor. Until Monaco has loaded and made the editor, the file is shown as plain text
 * in its place (the server's HTML has it too): the code is there to read at once, and editable
 * once the editor is. Monaco lays itself out underneath, hidden, then takes over. */
export function LazyCodeEditor(props: Omit<CodeEditorProps, "onReady">) {
  const [ready, setReady] = useState(false);
  return (
    <div className="relative h-full" aria-busy={!ready}>
      {ready ? null : (
        <pre
          data-testid="code-preview"
          role="region"
          aria-label={`${props.path}, read-only until the editor has loaded`}
          tabIndex={0}
          className="absolute inset-0 overflow-auto py-1 pr-3 pl-16 font-mono text-[13px] leading-[19px]"
        >
          {props.value}
        </pre>
      )}
      <div className={cn("h-full", !ready && "invisible")}>
        <MonacoCodeEditor {...props} onReady={() => setReady(true)} />
      </div>
    </div>
  );
}

export const LazyProposalDiff = dynamic(() => loadEditors().then((m) => m.ProposalDiff), {
  ssr: false,
  loading: () => <LoadingRows rows={3} label="Loading the diff" />,
});
