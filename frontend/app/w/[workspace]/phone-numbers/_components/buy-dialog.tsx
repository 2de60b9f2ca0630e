"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useForm } from "react-hook-form";

import { describedBy, Field } from "@/components/field";
import { ActionError } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogFooter, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Checkbox, Input, NativeSelect } from "@/components/ui/input";
import { api, unwrap } from "@/lib/api/client";
import type { AvailableNumber } from "@/lib/api/types";
import { buyFormSchema, suggestLineName, type BuyFormValues, type SearchQuery } from "@/lib/phone-numbers/forms";
import { queryKeys } from "@/lib/queries";

/** Buying asks first: the number, the line's name and its agent, then a purchase Twilio bills. */
export function BuyDialog({ workspace, number, query, agents, agentsError }: { workspace: string; number: AvailableNumber; query: SearchQuery; agents: string[]; agentsError: unknown }) {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const defaults = (): BuyFormValues => ({ name: suggestLineName(number.phoneNumber), agent: agents[0] ?? "", outbound: true });
  const form = useForm<BuyFormValues>({ resolver: zodResolver(buyFormSchema), defaultValues: defaults() });
  const errors = form.formState.errors;
  const buy = useMutation({
    mutationFn: (values: BuyFormValues) =>
      unwrap(
        api.POST("/api/v1/workspaces/{workspace}/phone-numbers", {
          params: { path: { workspace } },
          body: { ...values, phoneNumber: number.phoneNumber, country: query.country, numberType: query.numberType, inbound: true },
        }),
      ),
    onSuccess: async () => {
      setOpen(false);
      await queryClient.invalidateQueries({ queryKey: queryKeys.phoneNumbers(workspace) });
    },
  });
  const id = `buy-${number.phoneNumber.replace(/[^0-9]/g, "")}`;

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (next) form.reset(defaults()); // the agents may have loaded since the search
        else buy.reset();
      }}
    >
      <DialogTrigger asChild>
        <Button size="sm" aria-label={`Buy ${number.phoneNumber}`}>
          Buy
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogTitle>Buy {number.phoneNumber}?</DialogTitle>
        <DialogDescription>The Twilio account is charged for the number every month until it is released.</DialogDescription>
        <form noValidate aria-label="Buy the number" onSubmit={form.handleSubmit((values) => buy.mutate(values))} className="flex flex-col gap-4">
          <Field id={`${id}-name`} label="Line name" hint="Lowercase letters, digits and -; cannot change later." error={errors.name?.message}>
            <Input id={`${id}-name`} autoComplete="off" aria-invalid={!!errors.name} aria-describedby={describedBy(`${id}-name`, errors.name?.message)} {...form.register("name")} />
          </Field>
          <Field id={`${id}-agent`} label="Agent" hint={agents.length === 0 ? "Create an agent first: every line is answered by one." : "The agent that answers calls."} error={errors.agent?.message}>
            <NativeSelect id={`${id}-agent`} aria-invalid={!!errors.agent} aria-describedby={describedBy(`${id}-agent`, errors.agent?.message)} {...form.register("agent")}>
              {agents.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </NativeSelect>
          </Field>
          <label className="flex items-center gap-2 text-sm">
            <Checkbox {...form.register("outbound")} /> Let the agent place calls from this number
          </label>
          <ActionError error={buy.error ?? agentsError} />
          <DialogFooter>
            <DialogClose asChild>
              <Button type="button" variant="outline">
                Cancel
              </Button>
            </DialogClose>
            <Button type="submit" disabled={buy.isPending || agents.length === 0}>
              {buy.isPending ? "Buying…" : "Buy number"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
