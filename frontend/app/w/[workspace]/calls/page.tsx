"use client";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { DownloadIcon } from "lucide-react";
import { useParams, usePathname, useRouter, useSearchParams } from "next/navigation";
import { Suspense, useCallback, useMemo } from "react";

import { EmptyState, ErrorState, LoadingRows, PageHeader } from "@/components/states";
import { buttonVariants } from "@/components/ui/button";
import { api, unwrap } from "@/lib/api/client";
import { activeFilterCount, filtersToQuery, filtersToSearch, parseFilters, type CallFilters } from "@/lib/calls/filters";
import { queryKeys } from "@/lib/queries";

import { CallFiltersForm } from "./_components/call-filters";
import { CallList } from "./_components/call-list";

/** The API's largest page: fewer round trips while scrolling far back. */
const PAGE_SIZE = 200;

function CallLog() {
  const { workspace } = useParams<{ workspace: string }>();
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const filters = useMemo(() => parseFilters(new URLSearchParams(searchParams.toString())), [searchParams]);
  const search = filtersToSearch(filters);

  const agents = useQuery({
    queryKey: queryKeys.agents(workspace),
    queryFn: () => unwrap(api.GET("/api/v1/workspaces/{workspace}/agents", { params: { path: { workspace } } })),
  });
  const calls = useInfiniteQuery({
    queryKey: queryKeys.calls(workspace, search),
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace}/sessions", {
          params: { path: { workspace }, query: { ...filtersToQuery(filters), limit: PAGE_SIZE, cursor: pageParam } },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const rows = useMemo(() => calls.data?.pages.flatMap((page) => page.items) ?? [], [calls.data]);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = calls;
  const loadMore = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  function applyFilters(next: CallFilters) {
    const query = filtersToSearch(next);
    router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false });
  }

  const exportQuery = new URLSearchParams({ ...(filtersToQuery(filters) as Record<string, string>), format: "csv" });
  const exportLink = (
    <a href={`/api/v1/workspaces/${encodeURIComponent(workspace)}/sessions/export?${exportQuery}`} className={buttonVariants({ variant: "outline" })} download>
      <DownloadIcon aria-hidden /> Export CSV
    </a>
  );
  const agentNames = Array.from(new Set([...(agents.data ?? []).map((agent) => agent.name), ...(filters.agent ? [filters.agent] : [])])).sort();
  const filtered = activeFilterCount(filters) > 0;

  return (
    <div className="flex flex-col gap-6">
      <PageHeader title="Call logs" description="Every call to this workspace's agents, newest first. Open one for its transcript, latency and cost." actions={exportLink} />
      <CallFiltersForm key={search} filters={filters} agents={agentNames} onChange={applyFilters} />
      {calls.isPending ? <LoadingRows rows={6} label="Loading calls" /> : null}
      {calls.isError && rows.length === 0 ? <ErrorState error={calls.error} onRetry={() => calls.refetch()} /> : null}
      {calls.isSuccess && rows.length === 0 ? (
        <EmptyState title={filtered ? "No calls match these filters" : "No calls yet"}>
          {filtered ? "Change or clear the filters to see more." : "Calls appear here as soon as an agent answers one."}
        </EmptyState>
      ) : null}
      {rows.length > 0 ? <CallList workspace={workspace} calls={rows} hasNextPage={hasNextPage} fetchingNextPage={isFetchingNextPage} onLoadMore={loadMore} /> : null}
      {calls.isFetchNextPageError ? <ErrorState title="Could not load older calls" error={calls.error} onRetry={loadMore} /> : null}
    </div>
  );
}

export default function CallsPage() {
  return (
    <Suspense fallback={<LoadingRows rows={6} label="Loading calls" />}>
      <CallLog />
    </Suspense>
  );
}
