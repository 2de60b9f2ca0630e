"use client";

/** What every dashboard chart shares: a frame that gives the chart its parent's width (charts
 * are SVG, drawn with visx on d3 scales), axis and grid styling from the theme's CSS variables
 * (so dark mode needs no redraw), and a legend. Charts are hidden from assistive technology:
 * each page shows the same figures as a table beside them. */

import { ParentSize } from "@visx/responsive";
import type { ReactNode } from "react";

export interface Margin {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

export const AXIS_STROKE = "var(--border)";

export interface Series {
  key: string;
  label: string;
  color: string;
  /** A line series shows as a line in the legend. */
  line?: boolean;
}

/** A chart of the parent's width and the given height; `chart` names it for tests. */
export function ChartFrame({ name, height, legend, children }: { name: string; height: number; legend?: Series[]; children: (size: { width: number; height: number }) => ReactNode }) {
  return (
    <div className="w-full" aria-hidden data-chart={name}>
      <div style={{ height }}>
        <ParentSize debounceTime={50}>{({ width }) => (width > 0 ? children({ width, height }) : null)}</ParentSize>
      </div>
      {legend ? <Legend series={legend} /> : null}
    </div>
  );
}

function Legend({ series }: { series: Series[] }) {
  return (
    <ul className="mt-1 flex flex-wrap justify-center gap-x-4 gap-y-1 text-xs text-muted-foreground">
      {series.map((s) => (
        <li key={s.key} className="flex items-center gap-1.5">
          <span className={s.line ? "h-0.5 w-3" : "size-2.5 rounded-[2px]"} style={{ background: s.color }} />
          {s.label}
        </li>
      ))}
    </ul>
  );
}

/** Every `step`-th label of a band axis, so labels keep about `minGap` px between them. */
export function everyNth<T>(values: T[], bandWidth: number, minGap: number): T[] {
  const step = Math.max(1, Math.ceil(minGap / Math.max(bandWidth, 1)));
  return values.filter((_, i) => (values.length - 1 - i) % step === 0);
}
