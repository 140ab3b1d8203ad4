import type { ReactNode } from "react";

/** A two-column list of labelled facts (a run's settings, a dataset's license terms). */
export function Facts({ items, labelWidth = "12rem" }: { items: [string, ReactNode][]; labelWidth?: string }) {
  return (
    <dl className="grid gap-x-4 gap-y-2 text-sm" style={{ gridTemplateColumns: `${labelWidth} 1fr` }}>
      {items.map(([k, v]) => (
        <div key={k} className="contents">
          <dt className="font-medium text-muted-fg">{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
