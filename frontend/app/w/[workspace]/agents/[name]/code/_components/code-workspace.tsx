"use client";

/** The editor proper: files, the open file in Monaco (save with the version it was made
 * from), validation problems, and the side panels (deploy and revisions, build, assistant).
 *
 * The editor gets the row: the file tree beside it from 1024 px, the deploy/build/assistant
 * panel beside it only from 1600 px (below it before that), so Monaco keeps about 800 px at
 * 1280. Either panel folds away with a toggle in the editor's toolbar; what is open is kept in
 * localStorage, and a folded panel is hidden, not unmounted, so what it held is still there. */

import { PanelBottomIcon, PanelLeftIcon, PanelRightIcon, PencilIcon, SaveIcon, Trash2Icon } from "lucide-react";
import { useEffect, useState, type ReactNode } from "react";

import { ActionError, ErrorState, LoadingRows } from "@/components/states";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { ApiError } from "@/lib/api/errors";
import type { CodeTree } from "@/lib/api/types";
import { fieldIssuesToCodeIssues, issueCounts, type CodeIssue } from "@/lib/code/markers";
import type { CodePanel } from "@/lib/code/panels";
import { inProgress } from "@/lib/code/revisions";
import { defaultPath } from "@/lib/code/tree";
import { cn } from "@/lib/utils";

import { ConfirmDialog } from "../../../../_components/confirm-dialog";
import { AssistantPanel } from "./assistant-panel";
import { BuildLogPanel } from "./build-log";
import { useDeploy, useFile, useFileWrites, useRevisions, useValidation, type AgentRef } from "./code-api";
import { FileTree, PathDialog } from "./file-tree";
import { LazyCodeEditor, preloadMonaco } from "./lazy-monaco";
import { RevisionsPanel } from "./revisions-panel";
import { useCodePanels } from "./use-panels";

/** Unsaved text of a file and the version it was edited from. */
interface Edit {
  content: string;
  baseVersion: string;
}

function Problems({ issues, onPick }: { issues: CodeIssue[]; onPick: (issue: CodeIssue) => void }) {
  return (
    <section aria-labelledby="problems-heading" className="flex flex-col gap-2" data-testid="problems">
      <h2 id="problems-heading" className="text-sm font-semibold">
        Problems {issues.length ? `(${issues.length})` : ""}
      </h2>
      {issues.length === 0 ? (
        <p className="text-sm text-muted-foreground">No problems: the draft would deploy.</p>
      ) : (
        <ul className="flex flex-col divide-y rounded-md border">
          {issues.map((issue, index) => (
            <li key={index}>
              <button
                type="button"
                onClick={() => onPick(issue)}
                className="flex w-full flex-col gap-0.5 px-3 py-2 text-left text-sm outline-none hover:bg-accent focus-visible:ring-2 focus-visible:ring-ring"
              >
                <span className="font-mono text-xs text-muted-foreground">
                  {issue.path || "(tree)"}
                  {issue.line ? `:${issue.line}` : ""}
                </span>
                <span className="text-destructive">{issue.message}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

const FILES_ID = "code-files";
const TOOLS_ID = "code-tools";

/** Grid columns for the open panels; a folded (hidden) panel takes no cell. Literal class names,
 * so Tailwind sees each one. */
function columns(files: boolean, tools: boolean): string {
  if (files && tools) return "lg:grid-cols-[13rem_minmax(0,1fr)] min-[1600px]:grid-cols-[13rem_minmax(0,1fr)_24rem]";
  if (files) return "lg:grid-cols-[13rem_minmax(0,1fr)]";
  if (tools) return "min-[1600px]:grid-cols-[minmax(0,1fr)_24rem]";
  return "";
}

/** Shows or folds a panel: a button with aria-expanded that names the region it controls. */
function PanelToggle({
  panel,
  label,
  open,
  controls,
  onToggle,
  children,
}: {
  panel: CodePanel;
  label: string;
  open: boolean;
  controls: string;
  onToggle: (panel: CodePanel) => void;
  children: ReactNode;
}) {
  return (
    <Button
      size="sm"
      variant={open ? "secondary" : "outline"}
      aria-expanded={open}
      aria-controls={controls}
      title={open ? `Fold the ${label.toLowerCase()} panel` : `Show the ${label.toLowerCase()} panel`}
      onClick={() => onToggle(panel)}
      data-testid={`toggle-${panel}`}
    >
      {children} {label}
    </Button>
  );
}

export function CodeWorkspace({ agent, tree, canEdit }: { agent: AgentRef; tree: CodeTree; canEdit: boolean }) {
  const [picked, setPicked] = useState<string | null>(null);
  const paths = tree.files.map((f) => f.path);
  const selected = picked && paths.includes(picked) ? picked : defaultPath(tree);
  const [edits, setEdits] = useState<Record<string, Edit>>({});
  const [reveal, setReveal] = useState<{ line: number; key: number } | null>(null);
  const [renaming, setRenaming] = useState(false);

  useEffect(preloadMonaco, []);
  const file = useFile(agent, selected);
  const { write, rename, remove } = useFileWrites(agent);
  const validation = useValidation(agent, tree.version);
  const deploy = useDeploy(agent);
  const revisions = useRevisions(agent);

  const edit = selected ? edits[selected] : undefined;
  const loaded = file.data && file.data.path === selected ? file.data : undefined;
  const value = edit?.content ?? loaded?.content ?? "";
  const dirty = !!edit && !!loaded && edit.content !== loaded.content;
  const stale = write.error instanceof ApiError && write.error.status === 409 ? write.error : null;

  const deployIssues =
    deploy.error instanceof ApiError && deploy.error.status === 422 && deploy.error.issues.length
      ? fieldIssuesToCodeIssues(deploy.error.issues)
      : [];
  const issues: CodeIssue[] = deployIssues.length ? deployIssues : (validation.data?.issues ?? []);

  function forget(path: string) {
    setEdits((all) => Object.fromEntries(Object.entries(all).filter(([key]) => key !== path)));
  }

  function change(content: string) {
    if (!selected || !loaded) return;
    setEdits((all) => ({ ...all, [selected]: { content, baseVersion: all[selected]?.baseVersion ?? loaded.version } }));
  }

  function save() {
    if (!selected || !loaded || !canEdit || write.isPending) return;
    const current = edits[selected];
    if (!current || current.content === loaded.content) return;
    write.mutate(
      { path: selected, content: current.content, baseVersion: current.baseVersion },
      {
        // Typing may have gone on while the save was in flight: keep that, now based on the saved version.
        onSuccess: (saved) =>
          setEdits(({ [saved.path]: latest, ...rest }) =>
            !latest || latest.content === current.content ? rest : { ...rest, [saved.path]: { content: latest.content, baseVersion: saved.version } },
          ),
      },
    );
  }

  async function reloadStale() {
    if (!selected) return;
    forget(selected);
    write.reset();
    await file.refetch();
  }

  function select(path: string) {
    setPicked(path);
    setReveal(null);
  }

  function pick(issue: CodeIssue) {
    if (!paths.includes(issue.path)) return;
    setPicked(issue.path);
    setReveal({ line: issue.line ?? 1, key: Date.now() });
  }

  const building = inProgress((revisions.data ?? []).map((r) => r.state));
  const [panels, togglePanel] = useCodePanels();

  return (
    <div className="flex min-w-0 flex-col gap-4" data-testid="code-workspace">
      <div className="flex flex-wrap items-center gap-2" data-testid="editor-toolbar">
        <PanelToggle panel="files" label="Files" open={panels.files} controls={FILES_ID} onToggle={togglePanel}>
          <PanelLeftIcon aria-hidden />
        </PanelToggle>
        <h2 className="min-w-0 flex-[1_1_12rem] font-mono text-sm break-all" data-testid="open-file">
          {selected ?? "No file open"}
          {dirty ? <span className="ml-2 font-sans text-xs whitespace-nowrap text-muted-foreground">unsaved changes</span> : null}
        </h2>
        {canEdit && selected && loaded ? (
          <div className="flex flex-wrap items-center gap-2">
            <Button size="sm" onClick={save} disabled={!dirty || write.isPending} aria-keyshortcuts="Control+S Meta+S">
              <SaveIcon aria-hidden /> {write.isPending ? "Saving…" : "Save"}
            </Button>
            <PathDialog
              open={renaming}
              onOpenChange={setRenaming}
              title={`Rename ${selected}`}
              description="Move the file to another path in the tree."
              initial={selected}
              existing={paths}
              submitLabel="Rename"
              pending={rename.isPending}
              error={rename.error}
              onSubmit={(to) =>
                rename.mutate(
                  { from: selected, to, baseVersion: loaded.version },
                  {
                    onSuccess: () => {
                      if (edit) setEdits(({ [selected]: moved, ...rest }) => ({ ...rest, [to]: moved }));
                      setRenaming(false);
                      select(to);
                    },
                  },
                )
              }
            >
              <Button size="sm" variant="outline">
                <PencilIcon aria-hidden /> Rename
              </Button>
            </PathDialog>
            <ConfirmDialog
              title={`Delete ${selected}?`}
              description="The file leaves the draft. Deployed revisions keep their copy."
              confirmLabel="Delete file"
              onConfirm={() => remove.mutate({ path: selected, baseVersion: loaded.version }, { onSuccess: () => forget(selected) })}
            >
              <Button size="sm" variant="outline" disabled={remove.isPending}>
                <Trash2Icon aria-hidden /> Delete
              </Button>
            </ConfirmDialog>
          </div>
        ) : null}
        <PanelToggle panel="tools" label="Tools" open={panels.tools} controls={TOOLS_ID} onToggle={togglePanel}>
          <PanelBottomIcon aria-hidden className="min-[1600px]:hidden" />
          <PanelRightIcon aria-hidden className="hidden min-[1600px]:block" />
        </PanelToggle>
      </div>
      <div className={cn("grid min-w-0 gap-4", columns(panels.files, panels.tools))}>
        <div id={FILES_ID} hidden={!panels.files} className="min-w-0">
          <FileTree
            tree={tree}
            selected={selected}
            counts={issueCounts(issues)}
            dirty={dirty ? selected : null}
            canEdit={canEdit}
            creating={write.isPending}
            createError={write.error}
            onSelect={select}
            onCreate={(path) => write.mutateAsync({ path, content: "" }).then(() => select(path))}
          />
        </div>
        <div className="flex min-w-0 flex-col gap-3">
          {stale ? (
            <Alert variant="destructive" data-testid="stale-file">
              <AlertTitle>This file changed since you opened it</AlertTitle>
              <AlertDescription className="flex flex-col gap-2">
                <p>{stale.message}</p>
                <Button size="sm" variant="outline" className="self-start" onClick={reloadStale}>
                  Reload the latest version (discards your changes)
                </Button>
              </AlertDescription>
            </Alert>
          ) : (
            <ActionError error={write.error ?? remove.error} />
          )}
          {selected === null ? <p className="text-sm text-muted-foreground">Create a file to start.</p> : null}
          {selected && file.isPending ? <LoadingRows rows={8} label="Loading the file" /> : null}
          {selected && file.isError ? <ErrorState error={file.error} onRetry={() => file.refetch()} /> : null}
          {selected && loaded ? (
            <div className="h-[60vh] min-h-72 overflow-hidden rounded-md border">
              <LazyCodeEditor path={selected} value={value} readOnly={!canEdit} issues={issues} reveal={reveal} onChange={change} onSave={save} />
            </div>
          ) : null}
          {validation.isError ? <ErrorState title="Could not check the draft" error={validation.error} onRetry={() => validation.refetch()} /> : null}
          <Problems issues={issues} onPick={pick} />
        </div>
        <section id={TOOLS_ID} hidden={!panels.tools} aria-label="Tools" className="min-w-0 lg:col-span-full min-[1600px]:col-span-1">
          <Tabs defaultValue="deploy" className="flex min-w-0 flex-col gap-4">
            <TabsList className="w-full">
              <TabsTrigger value="deploy">Deploy</TabsTrigger>
              <TabsTrigger value="build">Build</TabsTrigger>
              <TabsTrigger value="assistant">Assistant</TabsTrigger>
            </TabsList>
            <TabsContent value="deploy">
              <RevisionsPanel agent={agent} canEdit={canEdit} deploy={deploy} dirty={dirty} />
            </TabsContent>
            <TabsContent value="build">
              {canEdit ? <BuildLogPanel agent={agent} follow={building} /> : <p className="text-sm text-muted-foreground">Build logs are for developers of this workspace.</p>}
            </TabsContent>
            <TabsContent value="assistant">
              <AssistantPanel agent={agent} canEdit={canEdit} onApplied={(path) => forget(path)} />
            </TabsContent>
          </Tabs>
        </section>
      </div>
    </div>
  );
}
