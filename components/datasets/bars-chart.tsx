"use client";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export type Bin = { label: string; count: number };

/** One distribution as bars, with the numbers in its accessible name (a screen reader hears the table). */
export function BarsChart({ title, bins, unit = "volumes", height = 160 }: { title: string; bins: Bin[]; unit?: string; height?: number }) {
  const total = bins.reduce((n, b) => n + b.count, 0);
  const summary = bins.length ? bins.map((b) => `${b.label}: ${b.count.toLocaleString("en")}`).join("; ") : "no data";
  return (
    <figure className="flex flex-col gap-1 rounded border border-border p-3" aria-label={`${title}. ${summary}`}>
      <figcaption className="text-sm font-medium">
        {title} <span className="text-xs font-normal text-muted-fg">({total.toLocaleString("en")} {unit})</span>
      </figcaption>
      {bins.length === 0 ? (
        <p className="text-xs text-muted-fg">Nothing to show yet.</p>
      ) : (
        <div style={{ height }} className="w-full">
          <ResponsiveContainer>
            <BarChart data={bins} margin={{ top: 4, right: 4, bottom: 0, left: -16 }}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} className="stroke-border" />
              <XAxis dataKey="label" fontSize={10} interval="preserveStartEnd" />
              <YAxis fontSize={10} allowDecimals={false} tickFormatter={(v) => Number(v).toLocaleString("en", { notation: "compact" })} />
              <Tooltip formatter={(v) => [Number(v).toLocaleString("en"), unit]} />
              <Bar dataKey="count" fill="var(--color-accent, #2563eb)" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </div>
      )}
    </figure>
  );
}
