"use client";

import { PlusIcon, Trash2Icon } from "lucide-react";
import { useFieldArray, useFormContext } from "react-hook-form";

import { Button } from "@/components/ui/button";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { ANALYSIS_TYPES, type AgentFormValues } from "@/lib/agents/form";

import { CheckboxField, SelectField, TextAreaField, TextField } from "../form-fields";

export function AnalysisSection() {
  const { control } = useFormContext<AgentFormValues>();
  const fields = useFieldArray({ control, name: "analysis.fields" });
  return (
    <Card aria-labelledby="analysis-title">
      <CardHeader>
        <CardTitle id="analysis-title">Post-call analysis</CardTitle>
        <CardDescription>After each call, an LLM reads the transcript and fills these in.</CardDescription>
      </CardHeader>
      <div className="flex flex-col gap-3">
        <CheckboxField name="analysis.enabled" label="Analyse calls" />
        <CheckboxField name="analysis.summary" label="Write a short summary" />
      </div>
      <TextAreaField name="analysis.successCriteria" label="What makes a call successful" rows={2} hint="Optional; the analysis says whether each call met it." />
      <fieldset className="flex min-w-0 flex-col gap-3">
        <legend className="mb-2 text-sm font-semibold">Values to extract</legend>
        {fields.fields.length === 0 ? <p className="text-sm text-muted-foreground">None.</p> : null}
        {fields.fields.map((field, index) => (
          <div key={field.id} className="grid gap-3 rounded-md border p-3 sm:grid-cols-[1fr_9rem_2fr_auto] sm:items-start" data-testid="analysis-field">
            <TextField name={`analysis.fields.${index}.name`} label="Name" />
            <SelectField name={`analysis.fields.${index}.type`} label="Type" options={ANALYSIS_TYPES} />
            <TextField name={`analysis.fields.${index}.description`} label="What to extract" />
            <Button variant="ghost" size="icon" className="sm:mt-5.5" aria-label={`Remove value ${index + 1}`} onClick={() => fields.remove(index)}>
              <Trash2Icon aria-hidden />
            </Button>
          </div>
        ))}
        <Button
          variant="outline"
          size="sm"
          className="self-start"
          onClick={() => fields.append({ name: `value_${fields.fields.length + 1}`, type: "String", description: "" })}
        >
          <PlusIcon aria-hidden /> Add a value
        </Button>
      </fieldset>
    </Card>
  );
}
