"use client";

/** The agent's files as a tree: pick one to edit; create, rename and delete (developers). */

import { FileIcon, FilePlusIcon, FolderIcon } from "lucide-react";
import { useState, type FormEvent, type ReactNode } from "react";

import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogFooter, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import type { CodeTree } from "@/lib/api/types";
import { errorMessage } from "@/lib/api/errors";
import { buildTree, pathProblem, type TreeFolder } from "@/lib/code/tree";
import { cn } from "@/lib/utils";

function FolderView({
  folder,
  depth,
  selected,
  counts,
  dirty,
  onSelect,
}: {
  folder: TreeFolder;
  depth: number;
  selected: string | null;
  counts: Map<string, number>;
  dirty: string | null;
  onSelect: (path: string) => void;
}) {
  return (
    <ul role={depth === 0 ? undefined : "group"} className="flex flex-col">
      {folder.folders.map((child) => (
        <li key={child.path}>
          <span className="flex items-center gap-1.5 px-2 py-1 text-sm text-muted-foreground" style={{ paddingLeft: `${depth * 12 + 8}px` }}>
            <FolderIcon className="size-4 shrink-0" aria-hidden />
            {child.name}
          </span>
          <FolderView folder={child} depth={depth + 1} selected={selected} counts={counts} dirty={dirty} onSelect={onSelect} />
        </li>
      ))}
      {folder.files.map((file) => {
        const count = counts.get(file.path) ?? 0;
        const current = file.path === selected;
        return (
          <li key={file.path}>
            <button
              type="button"
              onClick={() => onSelect(file.path)}
              aria-current={current ? "true" : undefined}
              data-path={file.path}
              className={cn(
                "flex w-full items-center gap-1.5 rounded-md px-2 py-1 text-left text-sm outline-none hover:bg-accent focus-visible:ring-2 focus-visible:ring-ring",
                current && "bg-accent font-medium",
              )}
              style={{ paddingLeft: `${depth * 12 + 8}px` }}
            >
              <FileIcon className="size-4 shrink-0" aria-hidden />
              <span className="min-w-0 flex-1 truncate">{file.name}</span>
              {dirty === file.path ? <span className="text-xs text-muted-foreground">unsaved</span> : null}
              {count > 0 ? (
                <Badge variant="destructive" aria-label={`${count} problem${count === 1 ? "" : "s"}`}>
                  {count}
                </Badge>
              ) : null}
            </button>
          </li>
        );
      })}
    </ul>
  );
}

/** A dialog asking for a path: a new file's, or a file's new name. `children` is the button that
 * opens it (Radix's trigger: it gets aria-expanded, and focus goes back to it on close; a dialog
 * opened from a plain button's state left focus on the page's body). */
export function PathDialog({
  children,
  open,
  onOpenChange,
  title,
  description,
  initial,
  existing,
  submitLabel,
  pending,
  error,
  onSubmit,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description: string;
  initial: string;
  existing: readonly string[];
  submitLabel: string;
  pending: boolean;
  error: unknown;
  onSubmit: (path: string) => void;
  children: ReactNode;
}) {
  const [value, setValue] = useState(initial);
  const [problem, setProblem] = useState<string | null>(null);
  const id = "code-path";

  function submit(event: FormEvent) {
    event.preventDefault();
    const found = pathProblem(value, existing);
    setProblem(found);
    if (!found) onSubmit(value.trim());
  }

  const message = problem ?? (error ? errorMessage(error) : null);
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (next) {
          setValue(initial);
          setProblem(null);
        }
        onOpenChange(next);
      }}
    >
      <DialogTrigger asChild>{children}</DialogTrigger>
      <DialogContent>
        <form onSubmit={submit} className="grid gap-4">
          <DialogTitle>{title}</DialogTitle>
          <DialogDescription>{description}</DialogDescription>
          <div className="grid gap-1.5">
            <Label htmlFor={id}>Path</Label>
            <Input
              id={id}
              value={value}
              onChange={(event) => setValue(event.target.value)}
              aria-invalid={message ? true : undefined}
              aria-describedby={message ? `${id}-error` : undefined}
              autoComplete="off"
              spellCheck={false}
            />
            {message ? (
              <p id={`${id}-error`} role="alert" className="text-sm text-destructive">
                {message}
              </p>
            ) : null}
          </div>
          <DialogFooter>
            <DialogClose asChild>
              <Button type="button" variant="outline">
                Cancel
              </Button>
            </DialogClose>
            <Button type="submit" disabled={pending}>
              {submitLabel}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

export function FileTree({
  tree,
  selected,
  counts,
  dirty,
  canEdit,
  creating,
  createError,
  onSelect,
  onCreate,
}: {
  tree: CodeTree;
  selected: string | null;
  counts: Map<string, number>;
  dirty: string | null;
  canEdit: boolean;
  creating: boolean;
  createError: unknown;
  onSelect: (path: string) => void;
  onCreate: (path: string) => Promise<unknown>;
}) {
  const [open, setOpen] = useState(false);
  const root = buildTree(tree.files);
  return (
    <nav aria-label="Files" className="flex min-w-0 flex-col gap-2">
      <div className="flex items-center justify-between gap-2">
        <h2 className="text-sm font-semibold">Files</h2>
        {canEdit ? (
          <PathDialog
            open={open}
            onOpenChange={setOpen}
            title="New file"
            description="A path in the agent's tree, such as helpers.py or requirements.txt."
            initial=""
            existing={tree.files.map((f) => f.path)}
            submitLabel="Create file"
            pending={creating}
            error={createError}
            onSubmit={(path) => onCreate(path).then(() => setOpen(false), () => undefined)}
          >
            <Button size="sm" variant="outline">
              <FilePlusIcon aria-hidden /> New file
            </Button>
          </PathDialog>
        ) : null}
      </div>
      {tree.files.length === 0 ? <p className="text-sm text-muted-foreground">No files yet.</p> : null}
      <FolderView folder={root} depth={0} selected={selected} counts={counts} dirty={dirty} onSelect={onSelect} />
      <p className="text-xs text-muted-foreground">
        {tree.files.length} file{tree.files.length === 1 ? "" : "s"} · {Math.ceil(tree.totalBytes / 1024)} KB · draft version {tree.version}
      </p>
    </nav>
  );
}
