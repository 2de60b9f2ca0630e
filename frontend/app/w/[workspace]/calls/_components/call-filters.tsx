"use client";

import { SearchIcon, XIcon } from "lucide-react";
import { useRef, useState, type ComponentProps, type FormEvent } from "react";

import { describedBy, Field } from "@/components/field";
import { Button } from "@/components/ui/button";
import { Input, NativeSelect } from "@/components/ui/input";
import { activeFilterCount, DIRECTIONS, END_REASONS, filterProblem, STATUSES, type CallFilters } from "@/lib/calls/filters";

/** The typed filters; the choices (agent, direction, status, end reason, days) apply at once. */
type TextKey = "q" | "phoneNumber" | "minSeconds";

function Choice({ id, label, value, options, onChange }: { id: string; label: string; value: string | undefined; options: readonly string[]; onChange: (value: string | undefined) => void }) {
  return (
    <Field id={id} label={label}>
      <NativeSelect id={id} value={value ?? ""} onChange={(event) => onChange(event.target.value || undefined)}>
        <option value="">Any</option>
        {options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </NativeSelect>
    </Field>
  );
}

export function CallFiltersForm({ filters, agents, onChange }: { filters: CallFilters; agents: readonly string[]; onChange: (filters: CallFilters) => void }) {
  const [text, setText] = useState<Record<TextKey, string>>({
    q: filters.q ?? "",
    phoneNumber: filters.phoneNumber ?? "",
    minSeconds: filters.minSeconds === undefined ? "" : String(filters.minSeconds),
  });
  const [problems, setProblems] = useState<Partial<Record<TextKey, string>>>({});
  // The filters last asked for: two choices made before the URL (and so `filters`) catches up
  // must both apply, not the second over the first's stale base. The page remounts this form
  // when the URL changes (key={search}), which starts it again from the URL's filters.
  const pending = useRef(filters);

  function send(next: CallFilters) {
    pending.current = next;
    onChange(next);
  }

  function choose<K extends keyof CallFilters>(key: K, value: CallFilters[K] | undefined) {
    send({ ...pending.current, [key]: value });
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const found: Partial<Record<TextKey, string>> = {};
    for (const key of ["q", "phoneNumber", "minSeconds"] as const) {
      const problem = filterProblem(key, text[key]);
      if (problem) found[key] = problem;
    }
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    send({
      ...pending.current,
      q: text.q.trim() || undefined,
      phoneNumber: text.phoneNumber.replace(/[\s()-]/g, "") || undefined,
      minSeconds: text.minSeconds.trim() === "" ? undefined : Number(text.minSeconds),
    });
  }

  function clear() {
    setText({ q: "", phoneNumber: "", minSeconds: "" });
    setProblems({});
    send({});
  }

  const textField = (key: TextKey, label: string, props: ComponentProps<typeof Input>, hint?: string) => {
    const id = `filter-${key}`;
    return (
      <Field id={id} label={label} hint={hint} error={problems[key]}>
        <Input
          id={id}
          value={text[key]}
          onChange={(event) => setText({ ...text, [key]: event.target.value })}
          aria-invalid={problems[key] ? true : undefined}
          aria-describedby={describedBy(id)}
          {...props}
        />
      </Field>
    );
  };

  return (
    <form role="search" aria-label="Filter calls" onSubmit={onSubmit} className="flex flex-col gap-3 rounded-lg border p-4">
      <div className="flex flex-col gap-2 sm:flex-row sm:items-start">
        <div className="flex-1">{textField("q", "Search transcripts", { type: "search", placeholder: 'refund "next week" -cancel' }, 'Words said in the call: "a phrase", or, -not.')}</div>
        <Button type="submit" className="sm:mt-6">
          <SearchIcon aria-hidden /> Search
        </Button>
      </div>
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-4">
        <Choice id="filter-agent" label="Agent" value={filters.agent} options={agents} onChange={(v) => choose("agent", v)} />
        <Choice id="filter-direction" label="Direction" value={filters.direction} options={DIRECTIONS} onChange={(v) => choose("direction", v as CallFilters["direction"])} />
        <Choice id="filter-status" label="Status" value={filters.status} options={STATUSES} onChange={(v) => choose("status", v as CallFilters["status"])} />
        <Choice id="filter-endReason" label="End reason" value={filters.endReason} options={END_REASONS} onChange={(v) => choose("endReason", v as CallFilters["endReason"])} />
        <Field id="filter-from" label="From day">
          <Input id="filter-from" type="date" value={filters.from ?? ""} max={filters.to} onChange={(event) => choose("from", event.target.value || undefined)} />
        </Field>
        <Field id="filter-to" label="To day">
          <Input id="filter-to" type="date" value={filters.to ?? ""} min={filters.from} onChange={(event) => choose("to", event.target.value || undefined)} />
        </Field>
        {textField("phoneNumber", "Phone number", { inputMode: "tel", placeholder: "+14155550100" })}
        {textField("minSeconds", "Longer than (s)", { inputMode: "numeric", placeholder: "0" })}
      </div>
      {activeFilterCount(filters) > 0 ? (
        <Button type="button" variant="ghost" size="sm" className="self-start" onClick={clear}>
          <XIcon aria-hidden /> Clear filters
        </Button>
      ) : null}
    </form>
  );
}
