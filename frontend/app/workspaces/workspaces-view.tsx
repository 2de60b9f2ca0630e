"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useForm } from "react-hook-form";
import * as z from "zod/mini";

import { describedBy, Field } from "@/components/field";
import { ActionError, EmptyState, ErrorState, LoadingRows, PageHeader } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { api, unwrap } from "@/lib/api/client";
import { workspacePath } from "@/lib/nav";
import { queryKeys, useMe, useWorkspaces } from "@/lib/queries";

const schema = z.object({
  namespace: z.string().check(
    z.minLength(1, "Name the workspace's namespace."),
    z.maxLength(63, "At most 63 characters."),
    z.regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "Lowercase letters, digits and -, starting and ending with a letter or digit."),
  ),
  displayName: z.string().check(z.maxLength(128, "At most 128 characters.")),
});

function CreateWorkspace() {
  const router = useRouter();
  const queryClient = useQueryClient();
  const form = useForm({ resolver: zodResolver(schema), defaultValues: { namespace: "", displayName: "" } });
  const { errors } = form.formState;
  const create = useMutation({
    mutationFn: (values: z.infer<typeof schema>) =>
      unwrap(api.POST("/api/v1/workspaces", { body: { namespace: values.namespace, displayName: values.displayName || null } })),
    onSuccess: async (workspace) => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.workspaces });
      router.push(workspacePath(workspace.namespace, "agents"));
    },
  });

  return (
    <Card>
      <CardHeader>
        <CardTitle>Create a workspace</CardTitle>
        <CardDescription>A workspace is a Kubernetes namespace; you become its owner.</CardDescription>
      </CardHeader>
      <form noValidate onSubmit={form.handleSubmit((values) => create.mutate(values))} className="grid gap-4 sm:grid-cols-2">
        <Field id="ws-namespace" label="Namespace" error={errors.namespace?.message}>
          <Input id="ws-namespace" placeholder="acme" aria-invalid={!!errors.namespace} aria-describedby={describedBy("ws-namespace", errors.namespace?.message)} {...form.register("namespace")} />
        </Field>
        <Field id="ws-display" label="Display name" hint="Optional" error={errors.displayName?.message}>
          <Input id="ws-display" placeholder="Acme" aria-describedby={describedBy("ws-display", errors.displayName?.message)} {...form.register("displayName")} />
        </Field>
        <div className="flex flex-col gap-2 sm:col-span-2">
          <ActionError error={create.error} />
          <Button type="submit" className="self-start" disabled={create.isPending}>
            {create.isPending ? "Creating…" : "Create workspace"}
          </Button>
        </div>
      </form>
    </Card>
  );
}

export function WorkspacesView() {
  const workspaces = useWorkspaces();
  const me = useMe();
  return (
    <div className="flex flex-col gap-6">
      <PageHeader title="Workspaces" description="Pick the workspace to work in." />
      {workspaces.isPending ? <LoadingRows /> : null}
      {workspaces.isError ? <ErrorState error={workspaces.error} onRetry={() => workspaces.refetch()} /> : null}
      {workspaces.data?.length === 0 ? (
        <EmptyState title="You are not in a workspace yet">
          Ask a workspace admin for an invitation link{me.data?.isPlatformAdmin ? ", or create a workspace below" : ""}.
        </EmptyState>
      ) : null}
      {workspaces.data && workspaces.data.length > 0 ? (
        <ul className="flex flex-col divide-y rounded-lg border">
          {workspaces.data.map((workspace) => (
            <li key={workspace.namespace}>
              <Link
                href={workspacePath(workspace.namespace, "agents")}
                className="flex items-center justify-between gap-2 px-4 py-3 outline-none hover:bg-accent focus-visible:ring-2 focus-visible:ring-ring"
              >
                <span className="flex min-w-0 flex-col">
                  <span className="truncate font-medium">{workspace.displayName}</span>
                  <span className="truncate text-xs text-muted-foreground">{workspace.namespace}</span>
                </span>
                <Badge variant="secondary">{workspace.role}</Badge>
              </Link>
            </li>
          ))}
        </ul>
      ) : null}
      {me.data?.isPlatformAdmin ? <CreateWorkspace /> : null}
    </div>
  );
}
