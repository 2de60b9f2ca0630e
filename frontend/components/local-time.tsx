"use client";

import { useHydrated } from "@/lib/use-hydrated";

/** UTC in minutes, the same on the server and in any browser (what the server's HTML shows). */
function utcText(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** A moment in the reader's own locale and time zone. The server knows neither, so its HTML
 * carries UTC and the browser swaps in local time once hydrated (no hydration mismatch). */
export function LocalDateTime({ iso }: { iso: string }) {
  const hydrated = useHydrated();
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return <>{iso}</>;
  const text = hydrated ? date.toLocaleString() : utcText(date);
  return (
    <time dateTime={iso} title={text}>
      {text}
    </time>
  );
}
