"use client";

import { useQuery } from "@tanstack/react-query";
import { useParams, usePathname, useRouter, useSearchParams } from "next/navigation";
import { Suspense } from "react";

import { Field } from "@/components/field";
import { EmptyState, ErrorState, LoadingRows, PageHeader } from "@/components/states";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { NativeSelect } from "@/components/ui/input";
import { byCalls, fillDays, RANGE_DAYS, rangeFor } from "@/lib/analytics/series";
import { api, unwrap } from "@/lib/api/client";
import { queryKeys } from "@/lib/queries";

import { AgentTable, EndReasons, LatencyTable, Totals } from "./_components/figures";
import { ByAgent, CallsOverTime, CostOverTime } from "./_components/lazy-charts";

function useAnalytics(workspace: string, query: { from: string; to: string; agent?: string; groupBy: "day" | "agent" }) {
  return useQuery({
    queryKey: queryKeys.analytics(workspace, query),
    queryFn: () => unwrap(api.GET("/api/v1/workspaces/{workspace}/analytics", { params: { path: { workspace }, query } })),
  });
}

function AnalyticsView() {
  const { workspace } = useParams<{ workspace: string }>();
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const days = RANGE_DAYS.find((d) => String(d) === searchParams.get("days")) ?? 30;
  const agent = searchParams.get("agent") || undefined;
  // Whole UTC days up to the end of today: the same strings (and query keys) all day long.
  const range = rangeFor(days);

  const agents = useQuery({
    queryKey: queryKeys.agents(workspace),
    queryFn: () => unwrap(api.GET("/api/v1/workspaces/{workspace}/agents", { params: { path: { workspace } } })),
  });
  const perDay = useAnalytics(workspace, { ...range, agent, groupBy: "day" });
  const perAgent = useAnalytics(workspace, { ...range, agent, groupBy: "agent" });

  function choose(key: "days" | "agent", value: string) {
    const params = new URLSearchParams(searchParams.toString());
    if (value) params.set(key, value);
    else params.delete(key);
    const query = params.toString();
    router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false });
  }

  const agentNames = Array.from(new Set([...(agents.data ?? []).map((a) => a.name), ...(agent ? [agent] : [])])).sort();
  const data = perDay.data;
  const points = data ? fillDays(data.groups, range.from, range.to) : [];
  const agentGroups = byCalls(perAgent.data?.groups ?? []);

  return (
    <div className="flex flex-col gap-6">
      <PageHeader title="Analytics" description="Calls, minutes, cost and latency over time and by agent (days in UTC)." />
      <div className="grid grid-cols-2 gap-3 sm:flex sm:flex-wrap">
        <Field id="analytics-days" label="Range" className="sm:w-44">
          <NativeSelect id="analytics-days" value={String(days)} onChange={(event) => choose("days", event.target.value)}>
            {RANGE_DAYS.map((d) => (
              <option key={d} value={d}>
                Last {d} days
              </option>
            ))}
          </NativeSelect>
        </Field>
        <Field id="analytics-agent" label="Agent" className="sm:w-56">
          <NativeSelect id="analytics-agent" value={agent ?? ""} onChange={(event) => choose("agent", event.target.value)}>
            <option value="">All agents</option>
            {agentNames.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </NativeSelect>
        </Field>
      </div>
      {perDay.isPending ? <LoadingRows rows={4} label="Loading analytics" /> : null}
      {perDay.isError ? <ErrorState error={perDay.error} onRetry={() => perDay.refetch()} /> : null}
      {data && data.totals.calls === 0 ? (
        <EmptyState title="No calls in this range">{agent ? `${agent} took no call in the last ${days} days.` : `No agent took a call in the last ${days} days.`}</EmptyState>
      ) : null}
      {data && data.totals.calls > 0 ? (
        <>
          <Totals data={data} />
          <div className="grid gap-6 lg:grid-cols-2">
            <Card aria-labelledby="calls-title">
              <CardHeader>
                <CardTitle id="calls-title">Calls and minutes per day</CardTitle>
              </CardHeader>
              <CallsOverTime points={points} />
            </Card>
            <Card aria-labelledby="cost-title">
              <CardHeader>
                <CardTitle id="cost-title">Cost per day</CardTitle>
                <CardDescription>Priced calls only.</CardDescription>
              </CardHeader>
              <CostOverTime points={points} currency="USD" />
            </Card>
          </div>
          <Card aria-labelledby="agents-title">
            <CardHeader>
              <CardTitle id="agents-title">By agent</CardTitle>
            </CardHeader>
            {perAgent.isPending ? <LoadingRows rows={2} label="Loading the agents' figures" /> : null}
            {perAgent.isError ? <ErrorState error={perAgent.error} onRetry={() => perAgent.refetch()} /> : null}
            {agentGroups.length > 0 ? (
              <>
                <ByAgent groups={agentGroups} />
                <AgentTable groups={agentGroups} error={perAgent.data?.percentileRelativeError ?? 0} />
              </>
            ) : null}
          </Card>
          <div className="grid gap-6 lg:grid-cols-2">
            <LatencyTable data={data} />
            <EndReasons data={data} />
          </div>
        </>
      ) : null}
    </div>
  );
}

export default function AnalyticsPage() {
  return (
    <Suspense fallback={<LoadingRows rows={4} label="Loading analytics" />}>
      <AnalyticsView />
    </Suspense>
  );
}
