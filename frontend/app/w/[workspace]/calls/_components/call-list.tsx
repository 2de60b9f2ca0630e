"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import Link from "next/link";
import { useEffect, useRef } from "react";

import { Button } from "@/components/ui/button";
import type { CallSummary } from "@/lib/api/types";
import { formatDuration, formatMicros } from "@/lib/calls/format";
import { workspacePath } from "@/lib/nav";

import { CallStatusBadge } from "./call-status";

/** Rows are measured (they wrap at 375 px); this is the first guess. */
const ROW_ESTIMATE = 64;
/** Fetch the next page this many rows before the end, so scrolling rarely waits. */
const PREFETCH_ROWS = 20;

/** One formatter for every row: building one per toLocaleString call is the costliest part of
 * mounting a row. */
const STARTED = new Intl.DateTimeFormat(undefined, { dateStyle: "short", timeStyle: "medium" });

function parties(call: CallSummary): string {
  if (call.caller || call.callee) return `${call.caller ?? "unknown"} → ${call.callee ?? "unknown"}`;
  return call.room;
}

function CallRow({ workspace, call }: { workspace: string; call: CallSummary }) {
  return (
    <Link
      href={workspacePath(workspace, "calls", call.id)}
      // Rows mount and unmount as the list scrolls: prefetching each one's page as it comes
      // into view would fire a request per row per frame.
      prefetch={false}
      className="flex flex-col gap-1 px-4 py-3 outline-none hover:bg-accent focus-visible:ring-2 focus-visible:ring-ring focus-visible:ring-inset sm:flex-row sm:items-center sm:gap-4"
    >
      <span className="flex min-w-0 flex-1 flex-col">
        <span className="truncate font-medium">
          {call.agent} <span className="font-normal text-muted-foreground">· {call.direction}</span>
        </span>
        <span className="truncate text-xs text-muted-foreground">
          <time dateTime={call.startedAt}>{STARTED.format(new Date(call.startedAt))}</time> · {parties(call)}
        </span>
      </span>
      <span className="flex items-center gap-3 text-sm sm:justify-end">
        <CallStatusBadge call={call} />
        <span className="w-14 tabular-nums sm:text-right" aria-label={`Duration ${formatDuration(call.durationMs)}`}>
          {formatDuration(call.durationMs)}
        </span>
        <span className="w-20 tabular-nums text-muted-foreground sm:text-right">{call.costStatus === "unpriced" ? "unpriced" : formatMicros(call.costMicros)}</span>
      </span>
    </Link>
  );
}

/** The call log: only the rows in view are in the document (10,000 loaded rows scroll like
 * 50), and the next page is fetched as the end comes near. */
export function CallList({
  workspace,
  calls,
  hasNextPage,
  fetchingNextPage,
  onLoadMore,
}: {
  workspace: string;
  calls: CallSummary[];
  hasNextPage: boolean;
  fetchingNextPage: boolean;
  onLoadMore: () => void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  // The virtualizer's functions change identity every render, which the React Compiler lint
  // flags; nothing here is memoised from them.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: calls.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_ESTIMATE,
    overscan: 8,
    getItemKey: (index) => calls[index].id,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length > 0 ? items[items.length - 1].index : -1;

  useEffect(() => {
    if (hasNextPage && !fetchingNextPage && lastIndex >= calls.length - PREFETCH_ROWS) onLoadMore();
  }, [hasNextPage, fetchingNextPage, lastIndex, calls.length, onLoadMore]);

  return (
    <div className="flex flex-col gap-2">
      <div ref={scroller} className="max-h-[min(70vh,44rem)] overflow-y-auto rounded-lg border" data-testid="call-scroller">
        <ul aria-label="Calls" className="relative w-full" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => (
            <li
              key={item.key}
              data-index={item.index}
              ref={virtualizer.measureElement}
              aria-setsize={hasNextPage ? -1 : calls.length}
              aria-posinset={item.index + 1}
              className="absolute top-0 left-0 w-full border-b last:border-b-0"
              style={{ transform: `translateY(${item.start}px)` }}
            >
              <CallRow workspace={workspace} call={calls[item.index]} />
            </li>
          ))}
        </ul>
      </div>
      <div className="flex flex-wrap items-center justify-between gap-2 text-sm text-muted-foreground">
        <span role="status" aria-live="polite">
          {calls.length.toLocaleString()} {calls.length === 1 ? "call" : "calls"}
          {hasNextPage ? " loaded, more older ones" : ""}
          {fetchingNextPage ? " · loading more…" : ""}
        </span>
        {hasNextPage ? (
          <Button variant="outline" size="sm" onClick={onLoadMore} disabled={fetchingNextPage}>
            Load older calls
          </Button>
        ) : null}
      </div>
    </div>
  );
}
