"use client";

/** Deploy the draft with a message; every revision with its state, its diff from the one
 * before, and rollback (with a confirmation). */

import { useState, type FormEvent } from "react";

import { ActionError, EmptyState, ErrorState, LoadingRows } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import type { CodeRevision } from "@/lib/api/types";
import { STATE_LABEL, STATE_TONE } from "@/lib/code/revisions";

import { ConfirmDialog } from "../../../../_components/confirm-dialog";
import { useDiff, useRevisions, useRollback, type AgentRef, type useDeploy } from "./code-api";
import { UnifiedDiff } from "./unified-diff";

function RevisionDiff({ agent, revision }: { agent: AgentRef; revision: CodeRevision }) {
  const diff = useDiff(agent, revision.number, revision.number - 1);
  if (diff.isPending) return <LoadingRows rows={2} label="Loading the diff" />;
  if (diff.isError) return <ErrorState title="Could not load the diff" error={diff.error} onRetry={() => diff.refetch()} />;
  if (diff.data.files.length === 0) return <p className="text-sm text-muted-foreground">No file changed since revision {revision.number - 1}.</p>;
  return (
    <div className="flex flex-col gap-3" data-testid={`diff-${revision.number}`}>
      {diff.data.files.map((file) => (
        <div key={file.path} className="flex flex-col gap-1">
          <p className="text-sm">
            <span className="font-medium">{file.path}</span> <span className="text-muted-foreground">({file.change})</span>
          </p>
          <UnifiedDiff diff={file.diff} label={`Changes to ${file.path} in revision ${revision.number}`} />
        </div>
      ))}
    </div>
  );
}

function RevisionRow({
  agent,
  revision,
  newest,
  canEdit,
  rollingBack,
  onRollback,
}: {
  agent: AgentRef;
  revision: CodeRevision;
  newest: boolean;
  canEdit: boolean;
  rollingBack: boolean;
  onRollback: (number: number) => void;
}) {
  const [showDiff, setShowDiff] = useState(false);
  const created = new Date(revision.createdAt).toLocaleString();
  return (
    <li className="flex flex-col gap-2 px-3 py-3" data-testid={`revision-${revision.number}`}>
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-medium">#{revision.number}</span>
        <Badge variant={STATE_TONE[revision.state]} data-testid="revision-state">
          {STATE_LABEL[revision.state]}
        </Badge>
        <span className="min-w-0 flex-1 truncate text-sm">{revision.message}</span>
      </div>
      <p className="text-xs text-muted-foreground">
        {revision.author ?? "someone"} · {created} · draft version {revision.version}
        {revision.rollbackOf ? ` · rollback to #${revision.rollbackOf}` : ""}
      </p>
      {revision.stateMessage ? (
        <p className={revision.state === "BuildFailed" ? "text-sm text-destructive" : "text-xs text-muted-foreground"}>{revision.stateMessage}</p>
      ) : null}
      <div className="flex flex-wrap gap-2">
        {revision.number > 1 ? (
          <Button size="sm" variant="outline" aria-expanded={showDiff} onClick={() => setShowDiff((shown) => !shown)}>
            {showDiff ? "Hide diff" : `Diff from #${revision.number - 1}`}
          </Button>
        ) : null}
        {canEdit && !newest ? (
          <ConfirmDialog
            title={`Roll back to revision ${revision.number}?`}
            description="The agent serves this revision's code again, recorded as a new revision. Your draft is not changed."
            confirmLabel="Roll back"
            onConfirm={() => onRollback(revision.number)}
          >
            <Button size="sm" variant="outline" disabled={rollingBack}>
              Roll back
            </Button>
          </ConfirmDialog>
        ) : null}
      </div>
      {showDiff ? <RevisionDiff agent={agent} revision={revision} /> : null}
    </li>
  );
}

export function RevisionsPanel({
  agent,
  canEdit,
  deploy,
  dirty,
}: {
  agent: AgentRef;
  canEdit: boolean;
  deploy: ReturnType<typeof useDeploy>;
  dirty: boolean;
}) {
  const revisions = useRevisions(agent);
  const rollback = useRollback(agent);
  const [message, setMessage] = useState("");

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!message.trim()) return;
    deploy.mutate(message.trim(), { onSuccess: () => setMessage("") });
  }

  return (
    <section aria-labelledby="deploy-heading" className="flex flex-col gap-4">
      <h2 id="deploy-heading" className="text-sm font-semibold">
        Deploy
      </h2>
      {canEdit ? (
        <form onSubmit={submit} className="flex flex-col gap-2">
          <Label htmlFor="deploy-message">What changed</Label>
          <div className="flex flex-col gap-2 sm:flex-row">
            <Input
              id="deploy-message"
              value={message}
              maxLength={500}
              placeholder="e.g. Answer in French"
              onChange={(event) => setMessage(event.target.value)}
            />
            <Button type="submit" disabled={deploy.isPending || !message.trim()}>
              {deploy.isPending ? "Deploying…" : "Deploy"}
            </Button>
          </div>
          {dirty ? <p className="text-xs text-warning">The open file has unsaved changes: a deploy takes the saved draft.</p> : null}
          {deploy.isSuccess ? (
            <p role="status" className="text-sm text-success">
              Revision {deploy.data.number} deployed; the operator builds and rolls it out.
            </p>
          ) : null}
          <ActionError error={deploy.error} />
        </form>
      ) : null}
      <ActionError error={rollback.error} />
      <h3 className="text-sm font-semibold">Revisions</h3>
      {revisions.isPending ? <LoadingRows rows={2} label="Loading the revisions" /> : null}
      {revisions.isError ? <ErrorState error={revisions.error} onRetry={() => revisions.refetch()} /> : null}
      {revisions.data?.length === 0 ? <EmptyState title="Not deployed yet">Deploy the draft to create the first revision.</EmptyState> : null}
      {revisions.data && revisions.data.length > 0 ? (
        <ul aria-label="Revisions" className="flex flex-col divide-y rounded-lg border">
          {revisions.data.map((revision, index) => (
            <RevisionRow
              key={revision.number}
              agent={agent}
              revision={revision}
              newest={index === 0}
              canEdit={canEdit}
              rollingBack={rollback.isPending}
              onRollback={(number) => rollback.mutate(number)}
            />
          ))}
        </ul>
      ) : null}
    </section>
  );
}
