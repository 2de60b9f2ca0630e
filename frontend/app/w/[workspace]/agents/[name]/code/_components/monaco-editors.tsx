"use client";

/** The Monaco editors of the code page: the file editor (with validation markers and Ctrl/Cmd+S)
 * and the diff editor of a proposed edit. Loaded through ./lazy-monaco only. */

import { DiffEditor, Editor, type OnMount } from "@monaco-editor/react";
import { useTheme } from "next-themes";
import { useEffect, useRef } from "react";

import { issuesToMarkers, type CodeIssue } from "@/lib/code/markers";
import { languageOf } from "@/lib/code/tree";

import { monaco } from "./monaco-setup";

type CodeEditorInstance = Parameters<OnMount>[0];

const OWNER = "arkenos-validation";

function useMonacoTheme(): string {
  const { resolvedTheme } = useTheme();
  return resolvedTheme === "dark" ? "vs-dark" : "vs";
}

export interface CodeEditorProps {
  path: string;
  value: string;
  readOnly: boolean;
  issues: readonly CodeIssue[];
  /** A line to scroll to and put the cursor on (changes each time a problem is picked). */
  reveal: { line: number; key: number } | null;
  onChange: (value: string) => void;
  onSave: () => void;
  /** Called once Monaco has made the editor (./lazy-monaco shows a preview until then). */
  onReady?: () => void;
}

export function CodeEditor({ path, value, readOnly, issues, reveal, onChange, onSave, onReady }: CodeEditorProps) {
  const theme = useMonacoTheme();
  const editorRef = useRef<CodeEditorInstance | null>(null);
  const saveRef = useRef(onSave);
  useEffect(() => {
    saveRef.current = onSave;
  }, [onSave]);

  useEffect(() => {
    const model = editorRef.current?.getModel();
    if (!model) return;
    monaco.editor.setModelMarkers(model, OWNER, issuesToMarkers(issues, path, model.getLineCount()));
  }, [issues, path, value]);

  useEffect(() => {
    const editor = editorRef.current;
    if (!editor || !reveal) return;
    editor.revealLineInCenter(reveal.line);
    editor.setPosition({ lineNumber: reveal.line, column: 1 });
    editor.focus();
  }, [reveal]);

  const mount: OnMount = (editor) => {
    editorRef.current = editor;
    editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => saveRef.current());
    const model = editor.getModel();
    if (model) monaco.editor.setModelMarkers(model, OWNER, issuesToMarkers(issues, path, model.getLineCount()));
    onReady?.();
  };

  return (
    <div data-testid="code-editor" className="h-full min-h-0">
      <Editor
        path={path}
        value={value}
        language={languageOf(path)}
        theme={theme}
        onChange={(next) => onChange(next ?? "")}
        onMount={mount}
        options={{
          readOnly,
          minimap: { enabled: false },
          fontSize: 13,
          scrollBeyondLastLine: false,
          automaticLayout: true,
          tabSize: 4,
          ariaLabel: `Editing ${path}. Press Ctrl+S to save; Escape then Tab moves focus out of the editor.`,
          tabFocusMode: false,
        }}
        loading={<p className="p-4 text-sm text-muted-foreground">Starting the editor…</p>}
      />
    </div>
  );
}

export function ProposalDiff({ path, original, modified }: { path: string; original: string; modified: string }) {
  const theme = useMonacoTheme();
  return (
    <div className="h-64 overflow-hidden rounded-md border" data-testid="proposal-diff">
      <DiffEditor
        original={original}
        modified={modified}
        originalModelPath={`proposal-base/${path}`}
        modifiedModelPath={`proposal/${path}`}
        language={languageOf(path)}
        theme={theme}
        options={{
          readOnly: true,
          renderSideBySide: false,
          minimap: { enabled: false },
          scrollBeyondLastLine: false,
          automaticLayout: true,
          fontSize: 12,
        }}
        loading={<p className="p-4 text-sm text-muted-foreground">Loading the diff…</p>}
      />
    </div>
  );
}
