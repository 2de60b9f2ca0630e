"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { ActionError } from "@/components/states";
import { Button } from "@/components/ui/button";
import { NativeSelect } from "@/components/ui/input";
import { api, unwrap } from "@/lib/api/client";
import type { PhoneNumber } from "@/lib/api/types";
import { lineNumber, lineReadiness } from "@/lib/phone-numbers/readiness";
import { queryKeys } from "@/lib/queries";

import { ConfirmDialog } from "../../_components/confirm-dialog";
import { ReadyBadge } from "../../agents/_components/ready-badge";

/** One line: its number, agent and Ready condition; developers reassign or release it. */
export function LineRow({ workspace, line, agents, canManage }: { workspace: string; line: PhoneNumber; agents: string[]; canManage: boolean }) {
  const queryClient = useQueryClient();
  const [agent, setAgent] = useState(line.agent);
  const ready = lineReadiness(line);
  const number = lineNumber(line);
  const path = { workspace, name: line.name };
  const refresh = () => queryClient.invalidateQueries({ queryKey: queryKeys.phoneNumbers(workspace) });

  const assign = useMutation({
    mutationFn: (to: string) =>
      unwrap(api.PUT("/api/v1/workspaces/{workspace}/phone-numbers/{name}/agent", { params: { path }, body: { agent: to, resourceVersion: line.resourceVersion ?? "" } })),
    onSuccess: refresh,
  });
  const release = useMutation({
    mutationFn: () =>
      unwrap(api.DELETE("/api/v1/workspaces/{workspace}/phone-numbers/{name}", { params: { path, query: { resourceVersion: line.resourceVersion ?? undefined } } })),
    onSuccess: refresh,
  });

  function onAssign(event: FormEvent) {
    event.preventDefault();
    assign.mutate(agent);
  }
  const selectId = `line-${line.name}-agent`;
  // The current agent is an option even when the list of agents has not loaded (or lost it).
  const options = agents.includes(line.agent) ? agents : [line.agent, ...agents];

  return (
    <li className="flex flex-col gap-3 px-4 py-3" data-testid={`line-${line.name}`} aria-label={`${number} (${line.name})`}>
      <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
        <span className="flex min-w-0 flex-1 flex-col">
          <span className="truncate font-mono font-medium">{number}</span>
          <span className="truncate text-xs text-muted-foreground">
            {line.name} · answered by {line.agent}
            {line.spec.outbound ? " · places calls" : ""} · {line.credentials === "Workspace" ? "workspace's Twilio account" : "platform's Twilio account"}
          </span>
        </span>
        <span className="flex min-w-0 flex-col gap-1 sm:max-w-[50%] sm:items-end">
          <ReadyBadge readiness={ready} />
          {ready.message ? <span className="text-xs text-muted-foreground sm:text-right">{ready.message}</span> : null}
        </span>
      </div>
      {canManage ? (
        <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
          <form onSubmit={onAssign} className="flex min-w-0 flex-1 items-center gap-2">
            <label htmlFor={selectId} className="text-sm whitespace-nowrap">
              Agent
            </label>
            <NativeSelect id={selectId} value={agent} onChange={(event) => setAgent(event.target.value)} className="min-w-0 flex-1 sm:max-w-64">
              {options.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </NativeSelect>
            <Button type="submit" variant="outline" size="sm" disabled={assign.isPending || agent === line.agent}>
              {assign.isPending ? "Assigning…" : "Assign"}
            </Button>
          </form>
          <ConfirmDialog
            title={`Release ${number}?`}
            description="Calls to the number stop reaching an agent. Whether the number stays in the Twilio account or goes back to Twilio is the line's release policy."
            confirmLabel="Release number"
            onConfirm={() => release.mutate()}
          >
            <Button variant="outline" size="sm" disabled={release.isPending}>
              {release.isPending ? "Releasing…" : "Release"}
            </Button>
          </ConfirmDialog>
        </div>
      ) : null}
      <ActionError error={assign.error ?? release.error} />
    </li>
  );
}
