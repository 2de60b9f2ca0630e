"use client";

import { PlusIcon, Trash2Icon } from "lucide-react";
import { useFieldArray, useFormContext, useWatch } from "react-hook-form";

import { Button } from "@/components/ui/button";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { HTTP_METHODS, TOOL_TYPES, type AgentFormValues, type ToolValues } from "@/lib/agents/form";
import { newTool } from "@/lib/agents/spec-mapping";

import { NumberField, SelectField, TextAreaField, TextField } from "../form-fields";
import { ArgumentSchemaEditor } from "./argument-schema-editor";

const TYPE_LABELS: Record<ToolValues["type"], string> = {
  HTTP: "HTTP request",
  EndCall: "End the call",
  TransferCall: "Transfer the call",
};

function ToolEditor({ index, onRemove }: { index: number; onRemove: () => void }) {
  const { control } = useFormContext<AgentFormValues>();
  const type = useWatch({ control, name: `tools.${index}.type` });
  const name = useWatch({ control, name: `tools.${index}.name` });
  return (
    <li className="flex flex-col gap-4 rounded-lg border p-3 sm:p-4" data-testid="tool">
      <div className="flex items-center justify-between gap-2">
        <h3 className="text-sm font-semibold">
          {TYPE_LABELS[type]}: <span className="font-mono">{name || "unnamed"}</span>
        </h3>
        <Button variant="ghost" size="sm" onClick={onRemove} aria-label={`Remove tool ${name || index + 1}`}>
          <Trash2Icon aria-hidden /> Remove
        </Button>
      </div>
      <div className="grid gap-4 sm:grid-cols-2">
        <SelectField name={`tools.${index}.type`} label="Kind" options={TOOL_TYPES.map((t) => ({ value: t, label: TYPE_LABELS[t] }))} />
        <TextField name={`tools.${index}.name`} label="Function name" hint="snake_case, as the LLM sees it." />
      </div>
      <TextAreaField name={`tools.${index}.description`} label="When to use it" rows={2} hint="The LLM reads this to decide when to call the tool." />
      {type === "HTTP" ? (
        <>
          <div className="grid gap-4 sm:grid-cols-[1fr_8rem_10rem]">
            <TextField name={`tools.${index}.url`} label="URL" placeholder="https://api.example.com/book" />
            <SelectField name={`tools.${index}.method`} label="Method" options={HTTP_METHODS} />
            <NumberField name={`tools.${index}.timeoutMs`} label="Timeout (ms)" min={100} max={60000} step={100} />
          </div>
          <ArgumentSchemaEditor tool={index} />
        </>
      ) : null}
      {type === "TransferCall" ? (
        <TextAreaField name={`tools.${index}.allowedNumbers`} label="Numbers it may transfer to" rows={3} hint="E.164 (+14155550100), one per line or separated by commas. No other number can be dialled." />
      ) : null}
    </li>
  );
}

export function ToolsSection() {
  const { control } = useFormContext<AgentFormValues>();
  const tools = useFieldArray({ control, name: "tools" });
  return (
    <Card aria-labelledby="tools-title">
      <CardHeader>
        <CardTitle id="tools-title">Tools</CardTitle>
        <CardDescription>Functions the agent can call during a conversation.</CardDescription>
      </CardHeader>
      {tools.fields.length === 0 ? <p className="text-sm text-muted-foreground">No tools yet.</p> : null}
      <ul className="flex flex-col gap-3">
        {tools.fields.map((field, index) => (
          <ToolEditor key={field.id} index={index} onRemove={() => tools.remove(index)} />
        ))}
      </ul>
      <div className="flex flex-wrap gap-2">
        {TOOL_TYPES.map((type) => (
          <Button key={type} variant="outline" size="sm" onClick={() => tools.append(newTool(type))}>
            <PlusIcon aria-hidden /> {TYPE_LABELS[type]}
          </Button>
        ))}
      </div>
    </Card>
  );
}
