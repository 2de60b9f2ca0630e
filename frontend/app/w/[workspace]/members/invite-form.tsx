"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation } from "@tanstack/react-query";
import { useForm } from "react-hook-form";
import * as z from "zod/mini";

import { describedBy, Field } from "@/components/field";
import { ActionError } from "@/components/states";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input, NativeSelect } from "@/components/ui/input";
import { api, unwrap } from "@/lib/api/client";
import { ROLES, roleAllows, type Role } from "@/lib/api/types";

import { CopyButton } from "../_components/copy-button";

const schema = z.object({
  email: z.email("Enter an email address."),
  role: z.enum(["owner", "admin", "developer", "viewer"], "Choose a role."),
});

export function InviteForm({ workspace, myRole }: { workspace: string; myRole: Role }) {
  const form = useForm({ resolver: zodResolver(schema), defaultValues: { email: "", role: "developer" as Role } });
  const { errors } = form.formState;
  const invite = useMutation({
    mutationFn: (body: z.infer<typeof schema>) =>
      unwrap(api.POST("/api/v1/workspaces/{workspace}/invitations", { params: { path: { workspace } }, body })),
    onSuccess: () => form.reset({ email: "", role: form.getValues("role") }),
  });

  return (
    <Card>
      <CardHeader>
        <CardTitle>Invite someone</CardTitle>
        <CardDescription>You get a link to send them; it is shown only once.</CardDescription>
      </CardHeader>
      <form noValidate onSubmit={form.handleSubmit((values) => invite.mutate(values))} className="grid gap-4 sm:grid-cols-[1fr_10rem_auto] sm:items-start">
        <Field id="invite-email" label="Email" error={errors.email?.message}>
          <Input id="invite-email" type="email" aria-invalid={!!errors.email} aria-describedby={describedBy("invite-email", errors.email?.message)} {...form.register("email")} />
        </Field>
        <Field id="invite-role" label="Role">
          <NativeSelect id="invite-role" {...form.register("role")}>
            {ROLES.filter((role) => role !== "owner" && roleAllows(myRole, role)).map((role) => (
              <option key={role} value={role}>
                {role}
              </option>
            ))}
          </NativeSelect>
        </Field>
        <Button type="submit" className="sm:mt-5.5" disabled={invite.isPending}>
          {invite.isPending ? "Inviting…" : "Invite"}
        </Button>
      </form>
      <ActionError error={invite.error} />
      {invite.data ? (
        <Alert variant="success">
          <AlertTitle>
            Invitation for {invite.data.email} as {invite.data.role}
          </AlertTitle>
          <AlertDescription className="flex flex-col gap-2 text-foreground">
            <p>Send this link; it is shown only now and expires {new Date(invite.data.expiresAt).toLocaleDateString()}.</p>
            <div className="flex items-center gap-2">
              <code data-testid="invitation-link" className="min-w-0 flex-1 truncate rounded bg-muted px-2 py-1 font-mono text-xs">
                {invite.data.link}
              </code>
              <CopyButton value={invite.data.link} label="Copy invitation link" />
            </div>
          </AlertDescription>
        </Alert>
      ) : null}
    </Card>
  );
}
