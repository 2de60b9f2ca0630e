/** Monaco from this app's own bundle, never a CDN: the editor core with its standard
 * contributions, Python highlighting, and the editor worker as a bundled file of this origin.
 * Imported only by the editor components, which load with next/dynamic (ssr: false). */

import { loader } from "@monaco-editor/react";
import "monaco-editor/esm/vs/editor/editor.all.js";
import * as monaco from "monaco-editor/esm/vs/editor/editor.api.js";
import "monaco-editor/esm/vs/basic-languages/python/python.contribution.js";

self.MonacoEnvironment = {
  getWorker: () => new Worker(new URL("./editor.worker.ts", import.meta.url), { type: "module", name: "monaco-editor" }),
};

loader.config({ monaco: monaco as unknown as Parameters<typeof loader.config>[0]["monaco"] });

export { monaco };
