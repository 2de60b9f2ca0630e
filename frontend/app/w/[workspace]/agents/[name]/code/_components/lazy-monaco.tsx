"use client";

import dynamic from "next/dynamic";

import { LoadingRows } from "@/components/states";

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

export const LazyCodeEditor = dynamic(() => loadEditors().then((m) => m.CodeEditor), {
  ssr: false,
  loading: () => <LoadingRows rows={8} label="Loading the editor" />,
});

export const LazyProposalDiff = dynamic(() => loadEditors().then((m) => m.ProposalDiff), {
  ssr: false,
  loading: () => <LoadingRows rows={3} label="Loading the diff" />,
});
