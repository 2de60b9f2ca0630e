"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation } from "@tanstack/react-query";
import { PhoneOutgoingIcon } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { useForm } from "react-hook-form";

import { describedBy, Field } from "@/components/field";
import { ActionError } from "@/components/states";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogFooter, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Input, NativeSelect } from "@/components/ui/input";
import { api, unwrap } from "@/lib/api/client";
import type { PhoneNumber } from "@/lib/api/types";
import { callFormSchema, type CallFormInput, type CallFormValues } from "@/lib/phone-numbers/forms";
import { lineNumber } from "@/lib/phone-numbers/readiness";
import { workspacePath } from "@/lib/nav";

/** Place a call from one of the workspace's lines; the line's agent talks to whoever answers. */
export function CallDialog({ workspace, lines }: { workspace: string; lines: PhoneNumber[] }) {
  const [open, setOpen] = useState(false);
  const outbound = lines.filter((line) => line.spec.outbound);
  const choices = outbound.length > 0 ? outbound : lines;
  const defaults = (): CallFormInput => ({ phoneNumber: choices[0]?.name ?? "", to: "" });
  const form = useForm<CallFormInput, unknown, CallFormValues>({ resolver: zodResolver(callFormSchema), defaultValues: defaults() });
  const errors = form.formState.errors;
  const call = useMutation({
    mutationFn: (values: CallFormValues) => unwrap(api.POST("/api/v1/workspaces/{workspace}/calls", { params: { path: { workspace } }, body: values })),
  });

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (next) form.reset(defaults()); // lines may have come or gone since
        else call.reset();
      }}
    >
      <DialogTrigger asChild>
        <Button variant="outline">
          <PhoneOutgoingIcon aria-hidden /> Call a phone
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogTitle>Call a phone</DialogTitle>
        <DialogDescription>The line&apos;s agent talks to whoever answers. The line must allow outbound calls.</DialogDescription>
        <form noValidate aria-label="Outbound call" onSubmit={form.handleSubmit((values) => call.mutate(values))} className="flex flex-col gap-4">
          <Field id="call-from" label="From" error={errors.phoneNumber?.message} hint="A line of this workspace.">
            <NativeSelect id="call-from" aria-invalid={!!errors.phoneNumber} aria-describedby={describedBy("call-from", errors.phoneNumber?.message)} {...form.register("phoneNumber")}>
              {choices.map((line) => (
                <option key={line.name} value={line.name}>
                  {lineNumber(line)} ({line.name}, {line.agent})
                </option>
              ))}
            </NativeSelect>
          </Field>
          <Field id="call-to" label="To" hint="E.164: + and the country code, e.g. +14155550123." error={errors.to?.message}>
            <Input id="call-to" type="tel" autoComplete="off" inputMode="tel" aria-invalid={!!errors.to} aria-describedby={describedBy("call-to", errors.to?.message)} {...form.register("to")} />
          </Field>
          <ActionError error={call.error} />
          {call.data ? (
            <Alert variant="success">
              <AlertDescription>
                {call.data.status}.{" "}
                <Link href={workspacePath(workspace, "calls", call.data.sessionId)} className="underline underline-offset-2">
                  Open the call
                </Link>
              </AlertDescription>
            </Alert>
          ) : null}
          <DialogFooter>
            <DialogClose asChild>
              <Button type="button" variant="outline">
                Done
              </Button>
            </DialogClose>
            <Button type="submit" disabled={call.isPending}>
              {call.isPending ? "Calling…" : "Call"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
