"use client";

import { PlusIcon, Trash2Icon } from "lucide-react";
import { useState } from "react";

import { Button } from "@/components/ui/button";
import { Checkbox, Input, NativeSelect, Textarea } from "@/components/ui/input";
import {
  ARGUMENT_TYPES,
  parseSchemaText,
  rowProblems,
  rowsToSchema,
  schemaToRows,
  type ArgumentRow,
  type ArgumentType,
} from "@/lib/agents/argument-schema";

function rowsOf(text: string): ArgumentRow[] | null {
  const parsed = parseSchemaText(text);
  return parsed.ok ? schemaToRows(parsed.schema) : null;
}

function textOf(rows: ArgumentRow[]): string {
  return rows.length === 0 ? "" : JSON.stringify(rowsToSchema(rows), null, 2);
}

/** The HTTP tool's arguments, as a list (name, type, description, required) or as JSON Schema
 * text when the schema says more than a list can. `value` is the JSON text. */
export function ArgumentSchemaEditor({
  id,
  value,
  onChange,
  onProblems,
  error,
}: {
  id: string;
  value: string;
  onChange: (text: string) => void;
  onProblems: (problems: string) => void;
  error?: string;
}) {
  const [rows, setRows] = useState<ArgumentRow[] | null>(() => rowsOf(value));
  const [asJson, setAsJson] = useState(rows === null);
  const errorId = `${id}-error`;

  function updateRows(next: ArgumentRow[]) {
    setRows(next);
    onProblems(rowProblems(next).join(" "));
    onChange(textOf(next.filter((row, index) => next.findIndex((r) => r.name === row.name) === index)));
  }

  function showJson() {
    onProblems("");
    setAsJson(true);
  }

  function showList() {
    const fromText = rowsOf(value);
    if (fromText) {
      setRows(fromText);
      setAsJson(false);
    }
  }

  const canList = asJson ? rowsOf(value) !== null : true;

  return (
    <fieldset className="flex min-w-0 flex-col gap-2" aria-describedby={error ? errorId : undefined}>
      <legend className="text-sm font-medium">Arguments</legend>
      <p className="text-xs text-muted-foreground">What the LLM passes to the endpoint; checked before the request is sent.</p>
      <div className="flex gap-2" role="group" aria-label="Edit arguments as">
        <Button size="sm" variant={asJson ? "outline" : "secondary"} aria-pressed={!asJson} disabled={!canList} onClick={showList}>
          List
        </Button>
        <Button size="sm" variant={asJson ? "secondary" : "outline"} aria-pressed={asJson} onClick={showJson}>
          JSON Schema
        </Button>
      </div>
      {asJson ? (
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
            value={value}
            aria-invalid={!!error}
            aria-describedby={error ? errorId : undefined}
            onChange={(event) => onChange(event.target.value)}
          />
        </>
      ) : (
        <ArgumentRows id={id} rows={rows ?? []} onChange={updateRows} />
      )}
      {error ? (
        <p id={errorId} role="alert" className="text-xs font-medium text-destructive">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

function ArgumentRows({ id, rows, onChange }: { id: string; rows: ArgumentRow[]; onChange: (rows: ArgumentRow[]) => void }) {
  const set = (index: number, patch: Partial<ArgumentRow>) => onChange(rows.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  return (
    <div className="flex flex-col gap-2">
      {rows.length === 0 ? <p className="text-sm text-muted-foreground">No arguments.</p> : null}
      {rows.map((row, index) => {
        const rowId = `${id}-${index}`;
        return (
          <div key={index} className="grid grid-cols-2 gap-2 rounded-md border p-2 sm:grid-cols-[1fr_8rem_2fr_auto_auto] sm:items-center" data-testid="argument-row">
            <Input aria-label={`Argument ${index + 1} name`} id={`${rowId}-name`} placeholder="name" value={row.name} onChange={(e) => set(index, { name: e.target.value })} />
            <NativeSelect aria-label={`Argument ${index + 1} type`} value={row.type} onChange={(e) => set(index, { type: e.target.value as ArgumentType })}>
              {ARGUMENT_TYPES.map((type) => (
                <option key={type} value={type}>
                  {type}
                </option>
              ))}
            </NativeSelect>
            <Input
              aria-label={`Argument ${index + 1} description`}
              className="col-span-2 sm:col-span-1"
              placeholder="What it is, for the LLM"
              value={row.description}
              onChange={(e) => set(index, { description: e.target.value })}
            />
            <label className="flex items-center gap-2 text-sm">
              <Checkbox checked={row.required} onChange={(e) => set(index, { required: e.target.checked })} /> Required
            </label>
            <Button variant="ghost" size="icon" aria-label={`Remove argument ${index + 1}`} onClick={() => onChange(rows.filter((_, i) => i !== index))}>
              <Trash2Icon aria-hidden />
            </Button>
          </div>
        );
      })}
      <Button
        variant="outline"
        size="sm"
        className="self-start"
        onClick={() => onChange([...rows, { name: `arg_${rows.length + 1}`, type: "string", description: "", required: false }])}
      >
        <PlusIcon aria-hidden /> Add argument
      </Button>
    </div>
  );
}
