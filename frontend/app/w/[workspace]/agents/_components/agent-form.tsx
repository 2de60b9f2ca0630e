"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import type { ReactNode } from "react";
import { FormProvider, useForm } from "react-hook-form";

import { ActionError } from "@/components/states";
import { Button } from "@/components/ui/button";
import { agentFormSchema, type AgentFormValues } from "@/lib/agents/form";
import { useHydrated } from "@/lib/use-hydrated";

import { AnalysisSection } from "./sections/analysis";
import { BasicsSection } from "./sections/basics";
import { ModelsSection } from "./sections/models";
import { ToolsSection } from "./sections/tools";
import { TurnDetectionSection } from "./sections/turn-detection";
import { WebhooksSection } from "./sections/webhooks";

/** The standard agent's settings, for creating one or editing it. Rendered on the server too (the
 * agent page's HTML has it): until React has hydrated, its fields and submit button are disabled,
 * so nothing typed or pressed before then is lost or sent as the browser's native GET. */
export function AgentForm({
  mode,
  initialValues,
  submitLabel,
  submitting,
  error,
  onSubmit,
  readOnly = false,
  extraActions,
}: {
  mode: "create" | "edit";
  initialValues: AgentFormValues;
  submitLabel: string;
  submitting: boolean;
  error: unknown;
  onSubmit: (values: AgentFormValues) => void;
  readOnly?: boolean;
  extraActions?: ReactNode;
}) {
  // Validate on submit, then on change: validating on blur raced with the add buttons (an append
  // made while the blurred field's validation was pending was lost).
  const form = useForm<AgentFormValues>({ resolver: zodResolver(agentFormSchema), defaultValues: initialValues, mode: "onSubmit" });
  const hydrated = useHydrated();
  const invalid = form.formState.submitCount > 0 && Object.keys(form.formState.errors).length > 0;

  return (
    <FormProvider {...form}>
      <form noValidate aria-label="Agent settings" onSubmit={form.handleSubmit(onSubmit)} className="flex flex-col gap-6">
        <fieldset disabled={readOnly || !hydrated} className="flex min-w-0 flex-col gap-6">
          <BasicsSection nameEditable={mode === "create"} />
          <ModelsSection />
          <TurnDetectionSection />
          <ToolsSection />
          <AnalysisSection />
          <WebhooksSection />
        </fieldset>
        <div className="sticky bottom-0 z-10 -mx-3 flex flex-col gap-2 border-t bg-background/95 px-3 py-3 backdrop-blur sm:-mx-6 sm:px-6">
          {invalid ? (
            <p role="alert" className="text-sm font-medium text-destructive">
              Some settings need fixing; they are marked above.
            </p>
          ) : null}
          <ActionError error={error} />
          <div className="flex flex-wrap gap-2">
            {readOnly ? (
              <p className="text-sm text-muted-foreground">You can view this agent; developers and above can change it.</p>
            ) : (
              <Button type="submit" disabled={submitting || !hydrated}>
                {submitting ? "Saving…" : submitLabel}
              </Button>
            )}
            {extraActions}
          </div>
        </div>
      </form>
    </FormProvider>
  );
}
