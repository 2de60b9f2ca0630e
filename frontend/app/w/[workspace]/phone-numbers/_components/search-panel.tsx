"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useQuery } from "@tanstack/react-query";
import { SearchIcon } from "lucide-react";
import { useState } from "react";
import { useForm } from "react-hook-form";

import { describedBy, Field } from "@/components/field";
import { EmptyState, ErrorState, LoadingRows } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Checkbox, Input, NativeSelect } from "@/components/ui/input";
import { api, unwrap } from "@/lib/api/client";
import { NUMBER_TYPES, SEARCH_DEFAULTS, searchFormSchema, searchQuery, type SearchFormInput, type SearchFormValues, type SearchQuery } from "@/lib/phone-numbers/forms";
import { queryKeys } from "@/lib/queries";

import { BuyDialog } from "./buy-dialog";

const TYPE_LABELS = { Local: "Local", TollFree: "Toll-free", Mobile: "Mobile" } as const;

/** Search Twilio's inventory (the workspace's account, or the platform's) and buy a number. */
export function SearchPanel({ workspace, agents, agentsError }: { workspace: string; agents: string[]; agentsError: unknown }) {
  const [query, setQuery] = useState<SearchQuery | null>(null);
  const form = useForm<SearchFormInput, unknown, SearchFormValues>({ resolver: zodResolver(searchFormSchema), defaultValues: SEARCH_DEFAULTS });
  const errors = form.formState.errors;
  const results = useQuery({
    queryKey: queryKeys.availableNumbers(workspace, query ?? {}),
    queryFn: () => unwrap(api.GET("/api/v1/workspaces/{workspace}/available-phone-numbers", { params: { path: { workspace }, query: query ?? undefined } })),
    enabled: query !== null,
    retry: false, // Twilio's refusals (a 4xx with its message) do not get better by asking again
  });
  const onSubmit = (values: SearchFormValues) => setQuery(searchQuery(values));

  return (
    <Card aria-labelledby="search-title">
      <CardHeader>
        <CardTitle id="search-title">Buy a number</CardTitle>
        <CardDescription>Search the numbers Twilio sells; buying one creates a line the operator buys and wires to an agent.</CardDescription>
      </CardHeader>
      <form noValidate aria-label="Search numbers" onSubmit={form.handleSubmit(onSubmit)} className="flex flex-col gap-4">
        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
          <Field id="search-country" label="Country" hint="Two letters, e.g. US." error={errors.country?.message}>
            <Input id="search-country" autoComplete="off" maxLength={2} aria-invalid={!!errors.country} aria-describedby={describedBy("search-country", errors.country?.message)} {...form.register("country")} />
          </Field>
          <Field id="search-type" label="Type" hint="Local, toll-free or mobile.">
            <NativeSelect id="search-type" aria-describedby={describedBy("search-type")} {...form.register("numberType")}>
              {NUMBER_TYPES.map((type) => (
                <option key={type} value={type}>
                  {TYPE_LABELS[type]}
                </option>
              ))}
            </NativeSelect>
          </Field>
          <Field id="search-area" label="Area code" hint="Optional, e.g. 415." error={errors.areaCode?.message}>
            <Input id="search-area" inputMode="numeric" autoComplete="off" aria-invalid={!!errors.areaCode} aria-describedby={describedBy("search-area", errors.areaCode?.message)} {...form.register("areaCode")} />
          </Field>
          <Field id="search-contains" label="Contains" hint="Optional digits; * one digit, % any." error={errors.pattern?.message}>
            <Input id="search-contains" autoComplete="off" aria-invalid={!!errors.pattern} aria-describedby={describedBy("search-contains", errors.pattern?.message)} {...form.register("pattern")} />
          </Field>
        </div>
        <div className="flex flex-wrap items-center gap-4">
          <label className="flex items-center gap-2 text-sm">
            <Checkbox {...form.register("voiceOnly")} /> Only numbers that take calls
          </label>
          <Button type="submit" disabled={results.isFetching}>
            <SearchIcon aria-hidden /> {results.isFetching ? "Searching…" : "Search"}
          </Button>
        </div>
      </form>
      {results.isFetching && !results.data ? <LoadingRows label="Searching" /> : null}
      {results.isError ? <ErrorState title="The search failed" error={results.error} /> : null}
      {results.data?.numbers.length === 0 ? <EmptyState title="No numbers match">Try another area code or pattern, or none.</EmptyState> : null}
      {results.data && results.data.numbers.length > 0 && query ? (
        <ul aria-label="Available numbers" className="flex flex-col divide-y rounded-lg border">
          {results.data.numbers.map((number) => (
            <li key={number.phoneNumber} className="flex flex-col gap-2 px-4 py-3 sm:flex-row sm:items-center">
              <span className="flex min-w-0 flex-1 flex-col">
                <span className="font-mono font-medium">{number.phoneNumber}</span>
                <span className="truncate text-xs text-muted-foreground">
                  {[number.locality, number.region, number.isoCountry].filter(Boolean).join(", ")}
                  {number.capabilities.voice ? " · voice" : ""}
                  {number.capabilities.sms ? " · SMS" : ""}
                  {number.addressRequirements && number.addressRequirements !== "none" ? ` · needs an address (${number.addressRequirements})` : ""}
                </span>
              </span>
              <BuyDialog workspace={workspace} number={number} query={query} agents={agents} agentsError={agentsError} />
            </li>
          ))}
        </ul>
      ) : null}
    </Card>
  );
}
