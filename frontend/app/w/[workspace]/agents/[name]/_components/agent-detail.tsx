"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { CodeIcon, PhoneIcon } from "lucide-react";
import Link from "next/link";
import { useParams, useRouter } from "next/navigation";

import { ErrorState, LoadingRows, PageHeader } from "@/components/states";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button, buttonVariants } from "@/components/ui/button";
import type { AgentFormValues } from "@/lib/agents/form";
import { specToValues, valuesToSpec } from "@/lib/agents/spec-mapping";
import { readiness } from "@/lib/agents/readiness";
import { api, unwrap } from "@/lib/api/client";
import { ApiError } from "@/lib/api/errors";
import type { Agent } from "@/lib/api/types";
import { roleAllows } from "@/lib/api/types";
import { workspacePath } from "@/lib/nav";
import { queryKeys, useWorkspace } from "@/lib/queries";

import { ConfirmDialog } from "../../../_components/confirm-dialog";
// Not the lazy form of the new-agent page: here the form is the page, so it is in the server's
// HTML (its largest paint no longer waits for a chunk to load after hydration).
import { AgentForm } from "../../_components/agent-form";
import { ReadyBadge } from "../../_components/ready-badge";

function StaleNotice({ error, onReload }: { error: ApiError; onReload: () => void }) {
  return (
    <Alert variant="destructive" data-testid="stale-version">
      <AlertTitle>Someone else changed this agent</AlertTitle>
      <AlertDescription className="flex flex-col gap-2">
        <p>{error.message}</p>
        <p className="text-foreground">Reload to see their version; your unsaved changes here will be replaced.</p>
        <Button variant="outline" size="sm" className="self-start" onClick={onReload}>
          Reload the latest version
        </Button>
      </AlertDescription>
    </Alert>
  );
}

function Editor({ workspace, agent, canEdit }: { workspace: string; agent: Agent; canEdit: boolean }) {
  const queryClient = useQueryClient();
  const router = useRouter();
  const key = queryKeys.agent(workspace, agent.name);
  const path = { workspace, name: agent.name };
  const save = useMutation({
    mutationFn: (values: AgentFormValues) =>
      unwrap(
        api.PUT("/api/v1/workspaces/{workspace}/agents/{name}", {
          params: { path },
          body: { resourceVersion: agent.resourceVersion ?? "", spec: valuesToSpec(values, agent.spec) },
        }),
      ),
    onSuccess: (updated) => {
      queryClient.setQueryData(key, updated);
      return queryClient.invalidateQueries({ queryKey: queryKeys.agents(workspace), exact: true });
    },
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE("/api/v1/workspaces/{workspace}/agents/{name}", { params: { path } })),
    onSuccess: async () => {
      queryClient.removeQueries({ queryKey: key });
      await queryClient.invalidateQueries({ queryKey: queryKeys.agents(workspace) });
      router.push(workspacePath(workspace, "agents"));
    },
  });
  const stale = save.error instanceof ApiError && save.error.status === 409 ? save.error : null;

  async function reload() {
    save.reset();
    await queryClient.invalidateQueries({ queryKey: key });
  }

  return (
    <>
      {stale ? <StaleNotice error={stale} onReload={reload} /> : null}
      {save.isSuccess ? (
        <Alert variant="success">
          <AlertDescription>Saved. The operator picks up the change within seconds.</AlertDescription>
        </Alert>
      ) : null}
      <AgentForm
        key={agent.resourceVersion ?? ""}
        mode="edit"
        readOnly={!canEdit}
        initialValues={specToValues(agent.name, agent.spec)}
        submitLabel="Save changes"
        submitting={save.isPending}
        error={stale ? null : save.error}
        onSubmit={(values) => save.mutate(values)}
        extraActions={
          canEdit ? (
            <ConfirmDialog
              title={`Delete ${agent.name}?`}
              description="Calls to this agent stop. Its call history stays."
              confirmLabel="Delete agent"
              onConfirm={() => remove.mutate()}
            >
              <Button variant="outline" disabled={remove.isPending}>
                Delete agent
              </Button>
            </ConfirmDialog>
          ) : null
        }
      />
      {remove.error ? <ErrorState title="Could not delete the agent" error={remove.error} /> : null}
    </>
  );
}

/** An agent: its Ready state, and the form (standard agents) or the way to its code (custom). */
export function AgentDetail() {
  const { workspace, name } = useParams<{ workspace: string; name: string }>();
  const role = useWorkspace(workspace).data?.role ?? "viewer";
  const agent = useQuery({
    queryKey: queryKeys.agent(workspace, name),
    queryFn: () => unwrap(api.GET("/api/v1/workspaces/{workspace}/agents/{name}", { params: { path: { workspace, name } } })),
  });

  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title={agent.data?.spec.displayName || name}
        description={
          agent.data ? (
            <span className="flex flex-wrap items-center gap-2">
              <ReadyBadge readiness={readiness(agent.data)} />
              <span>{readiness(agent.data).message}</span>
            </span>
          ) : undefined
        }
        actions={
          <Button asChild size="sm">
            <Link href={workspacePath(workspace, "agents", name, "talk")}>
              <PhoneIcon aria-hidden />
              Talk to this agent
            </Link>
          </Button>
        }
      />
      {agent.isPending ? <LoadingRows rows={6} label="Loading the agent" /> : null}
      {agent.isError ? <ErrorState error={agent.error} onRetry={() => agent.refetch()} /> : null}
      {agent.data && agent.data.spec.mode === "Custom" ? (
        <Alert>
          <AlertDescription className="flex flex-col gap-2 sm:flex-row sm:items-center sm:justify-between">
            <span>This is a custom agent: its behaviour is its code.</span>
            <Link href={workspacePath(workspace, "agents", name, "code")} className={buttonVariants({ size: "sm" })}>
              <CodeIcon aria-hidden /> Open the code editor
            </Link>
          </AlertDescription>
        </Alert>
      ) : null}
      {agent.data && agent.data.spec.mode !== "Custom" ? <Editor workspace={workspace} agent={agent.data} canEdit={roleAllows(role, "developer")} /> : null}
    </div>
  );
}
