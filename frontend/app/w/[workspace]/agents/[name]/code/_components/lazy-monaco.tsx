"use client";

import dynamic from "next/dynamic";

import { LoadingRows } from "@/components/states";

/** Monaco is large: it loads with the code page's editors only, in the browser, and never with
 * another route's JavaScript. */
/** Starts fetching Monaco before the first file has loaded, so the two overlap. */
export function preloadMonaco(): void {
  void import("./monaco-editors");
}

export const LazyCodeEditor = dynamic(() => import("./monaco-editors").then((m) => m.CodeEditor), {
  ssr: false,
  loading: () => <LoadingRows rows={8} label="Loading the editor" />,
});

export const LazyProposalDiff = dynamic(() => import("./monaco-editors").then((m) => m.ProposalDiff), {
  ssr: false,
  loading: () => <LoadingRows rows={3} label="Loading the diff" />,
});
