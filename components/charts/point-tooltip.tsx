import type { ReactNode } from "react";
import { cn } from "../ui/cn";
import { formatStep, formatValue, formatX, type XAxisKind } from "@/lib/charts/format";
import type { ChartRow } from "@/lib/charts/prepare-series";

const NON_FINITE = { nan: "NaN", inf: "+Infinity", "-inf": "-Infinity" } as const;

export function valueText(row: ChartRow): string {
  if (row.raw !== null) return formatValue(row.raw);
  return row.nonFinite ? NON_FINITE[row.nonFinite] : "—";
}

export function TooltipFrame({ children, wide }: { children: ReactNode; wide?: boolean }) {
  return <div className={cn("rounded-md border border-border bg-card px-3 py-2 text-xs text-fg shadow-lg", wide ? "w-max max-w-[40rem]" : "max-w-xs")}>{children}</div>;
}

/** Exact step and the value at full precision: people read tooltips to copy numbers. */
export function PointTooltip({ row, axis, smoothed }: { row: ChartRow | undefined; axis: XAxisKind; smoothed: boolean }) {
  if (!row) return null;
  return (
    <TooltipFrame>
      <div className="font-medium tabular-nums">Step {formatStep(row.step)}</div>
      {axis !== "step" && <div className="text-muted-fg tabular-nums">{formatX(row.x, axis)}</div>}
      <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-3 tabular-nums">
        <dt className="text-muted-fg">value</dt>
        <dd className="break-all">{valueText(row)}</dd>
        {smoothed && row.smooth !== null && (
          <>
            <dt className="text-muted-fg">smoothed</dt>
            <dd className="break-all">{formatValue(row.smooth)}</dd>
          </>
        )}
        {row.band && (
          <>
            <dt className="text-muted-fg">column</dt>
            <dd className="break-all">
              {formatValue(row.band[0])} … {formatValue(row.band[1])}
            </dd>
          </>
        )}
      </dl>
    </TooltipFrame>
  );
}
