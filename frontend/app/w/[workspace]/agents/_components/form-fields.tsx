"use client";

/** Form controls bound to the agent form by field path, each with its label, hint and error. */

import type { ReactNode } from "react";
import { get, useFormContext, type FieldPath } from "react-hook-form";

import { describedBy, Field } from "@/components/field";
import { Checkbox, Input, NativeSelect, Textarea } from "@/components/ui/input";
import type { AgentFormValues } from "@/lib/agents/form";

type Path = FieldPath<AgentFormValues>;

export function fieldId(name: string): string {
  return `agent-${name.replace(/\./g, "-")}`;
}

function useFieldError(name: Path): string | undefined {
  const { formState } = useFormContext<AgentFormValues>();
  return (get(formState.errors, name) as { message?: string } | undefined)?.message;
}

interface Common {
  name: Path;
  label: ReactNode;
  hint?: ReactNode;
  className?: string;
}

export function TextField({ name, label, hint, className, ...input }: Common & { placeholder?: string; type?: string; disabled?: boolean; autoComplete?: string }) {
  const { register } = useFormContext<AgentFormValues>();
  const error = useFieldError(name);
  const id = fieldId(name);
  return (
    <Field id={id} label={label} hint={hint} error={error} className={className}>
      <Input id={id} aria-invalid={!!error} aria-describedby={describedBy(id, error)} {...input} {...register(name)} />
    </Field>
  );
}

export function NumberField({ name, label, hint, className, min, max, step }: Common & { min?: number; max?: number; step?: number }) {
  const { register } = useFormContext<AgentFormValues>();
  const error = useFieldError(name);
  const id = fieldId(name);
  return (
    <Field id={id} label={label} hint={hint} error={error} className={className}>
      <Input id={id} type="number" inputMode="numeric" min={min} max={max} step={step} aria-invalid={!!error} aria-describedby={describedBy(id, error)} {...register(name, { valueAsNumber: true })} />
    </Field>
  );
}

export function TextAreaField({ name, label, hint, className, rows = 4 }: Common & { rows?: number }) {
  const { register } = useFormContext<AgentFormValues>();
  const error = useFieldError(name);
  const id = fieldId(name);
  return (
    <Field id={id} label={label} hint={hint} error={error} className={className}>
      <Textarea id={id} rows={rows} aria-invalid={!!error} aria-describedby={describedBy(id, error)} {...register(name)} />
    </Field>
  );
}

export function SelectField({ name, label, hint, className, options }: Common & { options: readonly string[] | readonly { value: string; label: string }[] }) {
  const { register } = useFormContext<AgentFormValues>();
  const error = useFieldError(name);
  const id = fieldId(name);
  return (
    <Field id={id} label={label} hint={hint} error={error} className={className}>
      <NativeSelect id={id} aria-invalid={!!error} aria-describedby={describedBy(id, error)} {...register(name)}>
        {options.map((option) => {
          const { value, label: text } = typeof option === "string" ? { value: option, label: option } : option;
          return (
            <option key={value} value={value}>
              {text}
            </option>
          );
        })}
      </NativeSelect>
    </Field>
  );
}

export function CheckboxField({ name, label, hint }: Common) {
  const { register } = useFormContext<AgentFormValues>();
  const id = fieldId(name);
  return (
    <div className="flex items-start gap-2">
      <Checkbox id={id} className="mt-0.5" aria-describedby={hint ? `${id}-hint` : undefined} {...register(name)} />
      <div className="flex flex-col gap-1">
        <label htmlFor={id} className="text-sm leading-none font-medium">
          {label}
        </label>
        {hint ? (
          <p id={`${id}-hint`} className="text-xs text-muted-foreground">
            {hint}
          </p>
        ) : null}
      </div>
    </div>
  );
}

export function FieldGroupError({ name }: { name: Path }) {
  const error = useFieldError(name);
  return error ? (
    <p role="alert" className="text-xs font-medium text-destructive">
      {error}
    </p>
  ) : null;
}
