/** Axes for the dashboard's charts: an axis line and labelled ticks for a band (categories) or
 * linear (amounts) d3 scale. Plain SVG text on purpose: @visx/axis draws each label with
 * @visx/text, whose CSS calc() evaluator outweighs the rest of a chart, and these labels need
 * neither wrapping nor calc(). */

import type { ScaleBand, ScaleLinear } from "@visx/vendor/d3-scale";

import { AXIS_STROKE } from "./frame";

type Side = "left" | "right" | "bottom";

const LABEL = { fill: "var(--muted-foreground)", fontSize: 12 } as const;
const TICK = 5;

interface Tick {
  at: number;
  label: string;
}

function Axis({ side, length, offset = 0, ticks }: { side: Side; length: number; offset?: number; ticks: Tick[] }) {
  const horizontal = side === "bottom";
  const out = side === "left" ? -1 : 1;
  return (
    <g transform={horizontal ? `translate(0,${offset})` : `translate(${offset},0)`}>
      <line x1={0} y1={0} x2={horizontal ? length : 0} y2={horizontal ? 0 : length} stroke={AXIS_STROKE} />
      {ticks.map((tick) =>
        horizontal ? (
          <g key={`${tick.at}-${tick.label}`} transform={`translate(${tick.at},0)`}>
            <line y2={TICK} stroke={AXIS_STROKE} />
            <text y={TICK + 13} textAnchor="middle" {...LABEL}>
              {tick.label}
            </text>
          </g>
        ) : (
          <g key={`${tick.at}-${tick.label}`} transform={`translate(0,${tick.at})`}>
            <line x2={out * TICK} stroke={AXIS_STROKE} />
            <text x={out * (TICK + 3)} dy="0.32em" textAnchor={out < 0 ? "end" : "start"} {...LABEL}>
              {tick.label}
            </text>
          </g>
        ),
      )}
    </g>
  );
}

/** Categories at the middle of their bands; `values` picks the ones labelled (all by default). */
export function BandAxis({ side, scale, offset, values, format = String }: { side: Side; scale: ScaleBand<string>; offset?: number; values?: string[]; format?: (value: string) => string }) {
  const [start, end] = scale.range();
  const ticks = (values ?? scale.domain()).map((value) => ({ at: (scale(value) ?? 0) + scale.bandwidth() / 2, label: format(value) }));
  return <Axis side={side} length={Math.abs(end - start)} offset={offset} ticks={ticks} />;
}

/** Amounts at d3's round tick values (whole numbers only when `integers`). */
export function LinearAxis({ side, scale, offset, count = 5, integers = false, format = (value) => value.toLocaleString() }: { side: Side; scale: ScaleLinear<number, number>; offset?: number; count?: number; integers?: boolean; format?: (value: number) => string }) {
  const [start, end] = scale.range();
  const values = scale.ticks(count).filter((value) => !integers || Number.isInteger(value));
  return <Axis side={side} length={Math.abs(end - start)} offset={offset} ticks={values.map((value) => ({ at: scale(value), label: format(value) }))} />;
}
