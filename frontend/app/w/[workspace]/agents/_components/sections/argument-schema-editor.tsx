"use client";

import { PlusIcon, Trash2Icon } from "lucide-react";
import { get, useFormContext, useWatch } from "react-hook-form";

import { Button } from "@/components/ui/button";
import { Checkbox, Input, NativeSelect, Textarea } from "@/components/ui/input";
import { ARGUMENT_TYPES, parseSchemaText, schemaToRows, type ArgumentRow } from "@/lib/agents/argument-schema";
import type { AgentFormValues } from "@/lib/agents/form";
import { toolParameters } from "@/lib/agents/spec-mapping";

/** The HTTP tool's arguments, as a list (name, type, description, required) or as JSON Schema
 * text when the schema says more than a list can. Both live in the form's values. */
export function ArgumentSchemaEditor({ tool }: { tool: number }) {
  const { control, register, setValue, getValues, formState } = useFormContext<AgentFormValues>();
  const mode = useWatch({ control, name: `tools.${tool}.argumentMode` });
  const text = useWatch({ control, name: `tools.${tool}.parameters` });
  // The rows come from the form's values (not a nested useFieldArray, whose appends were lost
  // once the tool's other fields had changed), so a re-rendered tool always shows them.
  const rowsPath = `tools.${tool}.arguments` as const;
  const rows: ArgumentRow[] = useWatch({ control, name: rowsPath }) ?? [];
  const setRows = (next: ArgumentRow[]) => setValue(rowsPath, next, { shouldDirty: true });
  const id = `agent-tools-${tool}-arguments`;
  const errorPath = mode === "list" ? `tools.${tool}.arguments` : `tools.${tool}.parameters`;
  // An error about the whole list sits under `root` once its rows are registered fields.
  const found = get(formState.errors, errorPath) as { message?: string; root?: { message?: string } } | undefined;
  const error = found?.message ?? found?.root?.message;
  const errorId = `${id}-error`;

  const parsed = parseSchemaText(text ?? "");
  const listable = mode === "list" || (parsed.ok && schemaToRows(parsed.schema) !== null);

  function showJson() {
    const schema = toolParameters(getValues(`tools.${tool}`));
    setValue(`tools.${tool}.parameters`, Object.keys(schema).length > 0 ? JSON.stringify(schema, null, 2) : "");
    setValue(`tools.${tool}.argumentMode`, "json");
  }

  function showList() {
    const schema = parseSchemaText(getValues(`tools.${tool}.parameters`));
    const fromText = schema.ok ? schemaToRows(schema.schema) : null;
    if (fromText) {
      setRows(fromText);
      setValue(`tools.${tool}.argumentMode`, "list");
    }
  }

  return (
    <fieldset className="flex min-w-0 flex-col gap-2" aria-describedby={error ? errorId : undefined}>
      <legend className="text-sm font-medium">Arguments</legend>
      <p className="text-xs text-muted-foreground">What the LLM passes to the endpoint; checked before the request is sent.</p>
      <div className="flex gap-2" role="group" aria-label="Edit arguments as">
        <Button size="sm" variant={mode === "list" ? "secondary" : "outline"} aria-pressed={mode === "list"} disabled={!listable} onClick={showList}>
          List
        </Button>
        <Button size="sm" variant={mode === "json" ? "secondary" : "outline"} aria-pressed={mode === "json"} onClick={showJson}>
          JSON Schema
        </Button>
      </div>
      {mode === "json" ? (
        <>
          <label htmlFor={`${id}-json`} className="sr-only">
            Arguments as JSON Schema
          </label>
          <Textarea
            id={`${id}-json`}
            rows={8}
            spellCheck={false}
            className="font-mono text-xs"
            placeholder={'{\n  "type": "object",\n  "properties": {}\n}'}
            aria-invalid={!!error}
            aria-describedby={error ? errorId : undefined}
            {...register(`tools.${tool}.parameters`)}
          />
        </>
      ) : (
        <div className="flex flex-col gap-2">
          {rows.length === 0 ? <p className="text-sm text-muted-foreground">No arguments.</p> : null}
          {rows.map((_, index) => {
            const path = `tools.${tool}.arguments.${index}` as const;
            return (
              <div key={index} className="grid grid-cols-2 gap-2 rounded-md border p-2 sm:grid-cols-[1fr_8rem_2fr_auto_auto] sm:items-center" data-testid="argument-row">
                <Input aria-label={`Argument ${index + 1} name`} placeholder="name" {...register(`${path}.name`)} />
                <NativeSelect aria-label={`Argument ${index + 1} type`} {...register(`${path}.type`)}>
                  {ARGUMENT_TYPES.map((type) => (
                    <option key={type} value={type}>
                      {type}
                    </option>
                  ))}
                </NativeSelect>
                <Input aria-label={`Argument ${index + 1} description`} className="col-span-2 sm:col-span-1" placeholder="What it is, for the LLM" {...register(`${path}.description`)} />
                <label className="flex items-center gap-2 text-sm">
                  <Checkbox {...register(`${path}.required`)} /> Required
                </label>
                <Button variant="ghost" size="icon" aria-label={`Remove argument ${index + 1}`} onClick={() => setRows(getValues(rowsPath).filter((__, i) => i !== index))}>
                  <Trash2Icon aria-hidden />
                </Button>
              </div>
            );
          })}
          <Button
            variant="outline"
            size="sm"
            className="self-start"
            onClick={() => setRows([...getValues(rowsPath), { name: `arg_${rows.length + 1}`, type: "string", description: "", required: false }])}
          >
            <PlusIcon aria-hidden /> Add argument
          </Button>
        </div>
      )}
      {error ? (
        <p id={errorId} role="alert" className="text-xs font-medium text-destructive">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
