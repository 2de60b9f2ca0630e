"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { describedBy, Field } from "@/components/field";
import { ActionError } from "@/components/states";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { api, unwrap } from "@/lib/api/client";
import type { ProviderKey } from "@/lib/api/types";
import { queryKeys } from "@/lib/queries";

import { ConfirmDialog } from "../_components/confirm-dialog";

const PROVIDER_NAMES: Record<ProviderKey["provider"], { name: string; hint: string }> = {
  openai: { name: "OpenAI", hint: "An API key starting with sk-." },
  cartesia: { name: "Cartesia", hint: "An API key from the Cartesia console." },
  deepgram: { name: "Deepgram", hint: "An API key from the Deepgram console." },
  google: { name: "Google", hint: "A Gemini API key." },
  twilio: { name: "Twilio", hint: "Account SID and auth token as SID:token." },
};

export function KeyCard({ workspace, providerKey, canManage, canTest }: { workspace: string; providerKey: ProviderKey; canManage: boolean; canTest: boolean }) {
  const queryClient = useQueryClient();
  const { provider } = providerKey;
  const { name, hint } = PROVIDER_NAMES[provider];
  const path = { workspace, provider };
  const [value, setValue] = useState("");
  const refresh = () => queryClient.invalidateQueries({ queryKey: queryKeys.keys(workspace) });

  const save = useMutation({
    mutationFn: (key: string) => unwrap(api.PUT("/api/v1/workspaces/{workspace}/keys/{provider}", { params: { path }, body: { value: key } })),
    onSuccess: () => {
      setValue("");
      test.reset();
      return refresh();
    },
  });
  const test = useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/workspaces/{workspace}/keys/{provider}/test", { params: { path } })),
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE("/api/v1/workspaces/{workspace}/keys/{provider}", { params: { path } })),
    onSuccess: () => {
      test.reset();
      return refresh();
    },
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    save.mutate(value);
  }
  const inputId = `key-${provider}`;

  return (
    <Card aria-labelledby={`${inputId}-title`} data-testid={`key-${provider}`}>
      <CardHeader className="flex-row items-center justify-between gap-2">
        <CardTitle id={`${inputId}-title`}>{name}</CardTitle>
        {providerKey.present ? (
          <Badge variant="success">
            set · ends in <span className="font-mono">{providerKey.lastFour}</span>
          </Badge>
        ) : (
          <Badge variant="outline">not set</Badge>
        )}
      </CardHeader>
      {providerKey.updatedAt ? (
        <p className="-mt-2 text-xs text-muted-foreground">Updated {new Date(providerKey.updatedAt).toLocaleString()}</p>
      ) : null}
      {canManage ? (
        <form onSubmit={onSubmit} className="flex flex-col gap-2 sm:flex-row sm:items-end">
          <Field id={inputId} label={providerKey.present ? `Replace the ${name} key` : `${name} key`} hint={hint} className="flex-1">
            <Input
              id={inputId}
              type="password"
              autoComplete="off"
              spellCheck={false}
              value={value}
              onChange={(event) => setValue(event.target.value)}
              aria-describedby={describedBy(inputId)}
            />
          </Field>
          <Button type="submit" disabled={save.isPending || value.length === 0} className="sm:mb-5">
            {save.isPending ? "Saving…" : "Save"}
          </Button>
        </form>
      ) : null}
      <ActionError error={save.error ?? remove.error ?? test.error} />
      {test.data ? (
        <Alert variant={test.data.ok ? "success" : "destructive"}>
          <AlertDescription>
            {test.data.ok ? `${name} accepted the key` : `${name} refused the key`}
            {test.data.status ? ` (HTTP ${test.data.status})` : ""}
            {test.data.ok ? "." : `: ${test.data.message}`}
          </AlertDescription>
        </Alert>
      ) : null}
      {providerKey.present ? (
        <div className="flex gap-2">
          {canTest ? (
            <Button variant="outline" size="sm" onClick={() => test.mutate()} disabled={test.isPending}>
              {test.isPending ? "Testing…" : "Test key"}
            </Button>
          ) : null}
          {canManage ? (
            <ConfirmDialog
              title={`Delete the ${name} key?`}
              description="Agents that use the workspace's key for this provider stop working until a new key is set."
              confirmLabel="Delete key"
              onConfirm={() => remove.mutate()}
            >
              <Button variant="outline" size="sm" disabled={remove.isPending}>
                Delete
              </Button>
            </ConfirmDialog>
          ) : null}
        </div>
      ) : null}
    </Card>
  );
}
