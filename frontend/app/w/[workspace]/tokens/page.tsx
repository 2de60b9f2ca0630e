"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useParams } from "next/navigation";
import { useForm } from "react-hook-form";
import * as z from "zod/mini";

import { describedBy, Field } from "@/components/field";
import { ActionError, EmptyState, ErrorState, LoadingRows, PageHeader } from "@/components/states";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { Input, NativeSelect } from "@/components/ui/input";
import { api, unwrap } from "@/lib/api/client";
import { ROLES, roleAllows, type Role, type Token } from "@/lib/api/types";
import { queryKeys, useWorkspace } from "@/lib/queries";

import { CopyButton } from "../_components/copy-button";

const schema = z.object({
  name: z.string().check(z.minLength(1, "Name the token, e.g. after the script that uses it."), z.maxLength(128, "At most 128 characters.")),
  role: z.enum(["owner", "admin", "developer", "viewer"], "Choose a role."),
  expiresOn: z.string(),
});

function TokenRow({ workspace, token }: { workspace: string; token: Token }) {
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: () =>
      unwrap(api.DELETE("/api/v1/workspaces/{workspace}/tokens/{token_id}", { params: { path: { workspace, token_id: token.id } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.tokens(workspace) }),
  });
  return (
    <li className="flex flex-col gap-2 px-4 py-3 sm:px-6">
      <div className="flex flex-wrap items-center gap-3">
        <span className="flex min-w-0 flex-1 flex-col">
          <span className="truncate font-medium">{token.name}</span>
          <span className="font-mono text-xs text-muted-foreground">
            {token.prefix}… · {token.role}
            {token.expiresAt ? ` · expires ${new Date(token.expiresAt).toLocaleDateString()}` : ""}
          </span>
        </span>
        {token.revoked ? (
          <Badge variant="secondary">revoked</Badge>
        ) : (
          <Button variant="outline" size="sm" onClick={() => revoke.mutate()} disabled={revoke.isPending} aria-label={`Revoke ${token.name}`}>
            Revoke
          </Button>
        )}
      </div>
      <ActionError error={revoke.error} />
    </li>
  );
}

export default function TokensPage() {
  const { workspace } = useParams<{ workspace: string }>();
  const queryClient = useQueryClient();
  const myRole: Role = useWorkspace(workspace).data?.role ?? "viewer";
  const tokens = useQuery({
    queryKey: queryKeys.tokens(workspace),
    queryFn: () => unwrap(api.GET("/api/v1/workspaces/{workspace}/tokens", { params: { path: { workspace } } })),
  });
  const form = useForm({ resolver: zodResolver(schema), defaultValues: { name: "", role: "viewer" as Role, expiresOn: "" } });
  const { errors } = form.formState;
  const create = useMutation({
    mutationFn: ({ name, role, expiresOn }: z.infer<typeof schema>) =>
      unwrap(
        api.POST("/api/v1/workspaces/{workspace}/tokens", {
          params: { path: { workspace } },
          body: { name, role, expiresAt: expiresOn ? new Date(`${expiresOn}T23:59:59Z`).toISOString() : null },
        }),
      ),
    onSuccess: () => {
      form.reset();
      return queryClient.invalidateQueries({ queryKey: queryKeys.tokens(workspace) });
    },
  });

  return (
    <div className="flex flex-col gap-6">
      <PageHeader title="API tokens" description="Tokens let scripts call the API as you, in this workspace, with a role no higher than yours." />
      <Card>
        <CardHeader>
          <CardTitle>Create a token</CardTitle>
        </CardHeader>
        <form noValidate onSubmit={form.handleSubmit((values) => create.mutate(values))} className="grid gap-4 sm:grid-cols-3 sm:items-start">
          <Field id="token-name" label="Name" error={errors.name?.message}>
            <Input id="token-name" placeholder="ci" aria-invalid={!!errors.name} aria-describedby={describedBy("token-name", errors.name?.message)} {...form.register("name")} />
          </Field>
          <Field id="token-role" label="Role">
            <NativeSelect id="token-role" {...form.register("role")}>
              {ROLES.filter((role) => roleAllows(myRole, role)).map((role) => (
                <option key={role} value={role}>
                  {role}
                </option>
              ))}
            </NativeSelect>
          </Field>
          <Field id="token-expires" label="Expires on" hint="Optional; never when empty.">
            <Input id="token-expires" type="date" aria-describedby={describedBy("token-expires")} {...form.register("expiresOn")} />
          </Field>
          <div className="sm:col-span-3">
            <Button type="submit" disabled={create.isPending}>
              {create.isPending ? "Creating…" : "Create token"}
            </Button>
          </div>
        </form>
        <ActionError error={create.error} />
        {create.data ? (
          <Alert variant="success">
            <AlertTitle>Token “{create.data.name}” created</AlertTitle>
            <AlertDescription className="flex flex-col gap-2 text-foreground">
              <p>Copy it now: it is shown only once and cannot be read again.</p>
              <div className="flex items-center gap-2">
                <code data-testid="new-token" className="min-w-0 flex-1 truncate rounded bg-muted px-2 py-1 font-mono text-xs">
                  {create.data.token}
                </code>
                <CopyButton value={create.data.token} label="Copy token" />
              </div>
            </AlertDescription>
          </Alert>
        ) : null}
      </Card>
      <Card className="px-0 sm:px-0">
        <CardHeader className="px-4 sm:px-6">
          <CardTitle>Your tokens</CardTitle>
        </CardHeader>
        <div className="px-4 sm:px-6">
          {tokens.isPending ? <LoadingRows /> : null}
          {tokens.isError ? <ErrorState error={tokens.error} onRetry={() => tokens.refetch()} /> : null}
          {tokens.data?.length === 0 ? <EmptyState title="No tokens yet">Create one above for a script or CI job.</EmptyState> : null}
        </div>
        {tokens.data && tokens.data.length > 0 ? (
          <ul aria-label="Tokens" className="flex flex-col divide-y border-t">
            {tokens.data.map((token) => (
              <TokenRow key={token.id} workspace={workspace} token={token} />
            ))}
          </ul>
        ) : null}
      </Card>
    </div>
  );
}
