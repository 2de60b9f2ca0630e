"use client";

/** The coding assistant: the conversation, a question answered as it streams, and the edits it
 * proposes, each shown as a diff against the file as it is now and applied only by a person. */

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { ActionError, EmptyState, ErrorState, LoadingRows } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/input";
import { api, unwrap } from "@/lib/api/client";
import { ApiError, toApiError } from "@/lib/api/errors";
import type { AssistantMessage, AssistantProposal } from "@/lib/api/types";
import { readSse } from "@/lib/code/sse";
import { queryKeys } from "@/lib/queries";

import type { AgentRef } from "./code-api";
import { LazyProposalDiff } from "./lazy-monaco";

function ProposalCard({
  agent,
  proposal,
  canEdit,
  onApplied,
}: {
  agent: AgentRef;
  proposal: AssistantProposal;
  canEdit: boolean;
  onApplied: (path: string) => void;
}) {
  const { workspace, name } = agent;
  const queryClient = useQueryClient();
  const applied = proposal.appliedVersion !== null && proposal.appliedVersion !== undefined;
  // The file as it is now (empty when the proposal creates it), to diff against.
  const current = useQuery({
    queryKey: queryKeys.codeFile(workspace, name, proposal.path),
    staleTime: Infinity,
    enabled: !applied,
    queryFn: () =>
      unwrap(api.GET("/api/v1/workspaces/{workspace}/agents/{name}/code/files/{path}", { params: { path: { workspace, name, path: proposal.path } } })).catch(
        (error: unknown) => {
          if (error instanceof ApiError && error.status === 404) return null;
          throw error;
        },
      ),
  });
  const apply = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/v1/workspaces/{workspace}/agents/{name}/code/assistant/proposals/{proposal_id}/apply", {
          params: { path: { workspace, name, proposal_id: proposal.id } },
        }),
      ),
    onSuccess: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.codeTree(workspace, name) }),
        queryClient.invalidateQueries({ queryKey: queryKeys.codeFile(workspace, name, proposal.path) }),
        queryClient.invalidateQueries({ queryKey: queryKeys.assistant(workspace, name) }),
      ]);
      onApplied(proposal.path);
    },
  });
  const done = applied || apply.isSuccess;
  return (
    <div className="flex flex-col gap-2 rounded-md border p-3" data-testid="proposal">
      <p className="flex flex-wrap items-center gap-2 text-sm">
        <span className="font-medium">{proposal.delete ? `Delete ${proposal.path}` : proposal.path}</span>
        {done ? <Badge variant="success">Applied{proposal.appliedVersion ? ` as version ${proposal.appliedVersion}` : ""}</Badge> : null}
      </p>
      {proposal.summary ? <p className="text-sm text-muted-foreground">{proposal.summary}</p> : null}
      {proposal.problems.length > 0 ? (
        <ul className="list-disc pl-5 text-sm text-destructive">
          {proposal.problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      ) : null}
      {!done && !proposal.delete && current.isSuccess ? (
        <LazyProposalDiff path={proposal.path} original={current.data?.content ?? ""} modified={proposal.content ?? ""} />
      ) : null}
      {!done && current.isError ? <ErrorState title="Could not load the file to compare" error={current.error} /> : null}
      {canEdit && !done && proposal.problems.length === 0 ? (
        <Button size="sm" className="self-start" onClick={() => apply.mutate()} disabled={apply.isPending}>
          {apply.isPending ? "Applying…" : "Apply to the draft"}
        </Button>
      ) : null}
      <ActionError error={apply.error} />
    </div>
  );
}

function MessageView({ agent, message, canEdit, onApplied }: { agent: AgentRef; message: AssistantMessage; canEdit: boolean; onApplied: (path: string) => void }) {
  const mine = message.role === "user";
  return (
    <li className={mine ? "self-end" : "self-start"} data-role={message.role}>
      <div className={mine ? "rounded-lg bg-primary px-3 py-2 text-sm text-primary-foreground" : "flex flex-col gap-2 rounded-lg bg-muted px-3 py-2 text-sm"}>
        <p className="whitespace-pre-wrap">
          <span className="sr-only">{mine ? "You: " : "Assistant: "}</span>
          {message.content}
        </p>
        {message.proposals?.map((proposal) => (
          <ProposalCard key={proposal.id} agent={agent} proposal={proposal} canEdit={canEdit} onApplied={onApplied} />
        ))}
      </div>
    </li>
  );
}

interface Streaming {
  question: string;
  text: string;
  proposals: AssistantProposal[];
}

export function AssistantPanel({ agent, canEdit, onApplied }: { agent: AgentRef; canEdit: boolean; onApplied: (path: string) => void }) {
  const { workspace, name } = agent;
  const queryClient = useQueryClient();
  const conversation = useQuery({
    queryKey: queryKeys.assistant(workspace, name),
    queryFn: () => unwrap(api.GET("/api/v1/workspaces/{workspace}/agents/{name}/code/assistant", { params: { path: { workspace, name } } })),
  });
  const [content, setContent] = useState("");
  const [streaming, setStreaming] = useState<Streaming | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function ask(event: FormEvent) {
    event.preventDefault();
    const question = content.trim();
    if (!question || streaming) return;
    setError(null);
    setStreaming({ question, text: "", proposals: [] });
    try {
      const { data, error: failure, response } = await api.POST("/api/v1/workspaces/{workspace}/agents/{name}/code/assistant/messages", {
        params: { path: { workspace, name } },
        body: { content: question },
        parseAs: "stream",
      });
      if (!response.ok || !data) throw toApiError(response.status, failure);
      setContent("");
      for await (const sse of readSse(data as ReadableStream<Uint8Array>)) {
        const payload = JSON.parse(sse.data) as Record<string, unknown>;
        if (sse.event === "delta") setStreaming((s) => s && { ...s, text: s.text + String(payload.text ?? "") });
        else if (sse.event === "proposal") setStreaming((s) => s && { ...s, proposals: [...s.proposals, payload as unknown as AssistantProposal] });
        else if (sse.event === "error") setError(new Error(String(payload.message ?? "The assistant failed.")));
      }
    } catch (failure) {
      setError(failure);
    } finally {
      await queryClient.invalidateQueries({ queryKey: queryKeys.assistant(workspace, name) });
      setStreaming(null);
    }
  }

  const messages = conversation.data?.messages ?? [];
  return (
    <section aria-labelledby="assistant-heading" className="flex min-w-0 flex-col gap-3">
      <h2 id="assistant-heading" className="text-sm font-semibold">
        Coding assistant
      </h2>
      <p className="text-xs text-muted-foreground">It reads this agent&apos;s files and proposes edits; nothing changes until you apply one.</p>
      {conversation.isPending ? <LoadingRows rows={2} label="Loading the conversation" /> : null}
      {conversation.isError ? <ErrorState error={conversation.error} onRetry={() => conversation.refetch()} /> : null}
      {conversation.data && messages.length === 0 && !streaming ? (
        <EmptyState title="No questions yet">Ask for a change, for example “add a tool that tells the time”.</EmptyState>
      ) : null}
      {messages.length > 0 || streaming ? (
        <ol aria-label="Conversation" className="flex flex-col gap-2" aria-live="polite">
          {messages.map((message) => (
            <MessageView key={message.id} agent={agent} message={message} canEdit={canEdit} onApplied={onApplied} />
          ))}
          {streaming ? (
            <>
              <li className="self-end rounded-lg bg-primary px-3 py-2 text-sm text-primary-foreground">{streaming.question}</li>
              <li className="self-start rounded-lg bg-muted px-3 py-2 text-sm" data-testid="assistant-streaming">
                <p className="whitespace-pre-wrap">{streaming.text || "Thinking…"}</p>
                {streaming.proposals.length ? <p className="text-xs text-muted-foreground">{streaming.proposals.length} edit(s) proposed</p> : null}
              </li>
            </>
          ) : null}
        </ol>
      ) : null}
      <ActionError error={error} />
      {canEdit ? (
        <form onSubmit={ask} className="flex flex-col gap-2">
          <Label htmlFor="assistant-question">Ask the assistant</Label>
          <Textarea
            id="assistant-question"
            value={content}
            maxLength={8000}
            onChange={(event) => setContent(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === "Enter" && (event.metaKey || event.ctrlKey)) event.currentTarget.form?.requestSubmit();
            }}
          />
          <Button type="submit" className="self-start" disabled={!!streaming || !content.trim()}>
            {streaming ? "Answering…" : "Ask"}
          </Button>
        </form>
      ) : null}
    </section>
  );
}
