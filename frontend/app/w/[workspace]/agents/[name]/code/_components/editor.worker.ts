/** Monaco's editor worker (diffs, word ranges), bundled as its own file. */
import "monaco-editor/esm/vs/editor/editor.worker.js";
