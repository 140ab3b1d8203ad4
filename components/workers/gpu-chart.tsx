"use client";
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export type Sample = { gpu: number; util: number; memUsed: number; memTotal: number; at: string };

/** One GPU's last hour: utilization and memory (both in %), one point per heartbeat (≤ 360). */
export function GpuChart({ gpu, samples }: { gpu: number; samples: Sample[] }) {
  const data = samples.filter((s) => s.gpu === gpu).map((s) => ({ t: new Date(s.at).getTime(), util: s.util, mem: s.memTotal ? (100 * s.memUsed) / s.memTotal : 0 }));
  const last = data.at(-1);
  return (
    <figure className="flex flex-col gap-1" aria-label={`GPU ${gpu}: ${last ? `${last.util.toFixed(0)} % busy, ${last.mem.toFixed(0)} % memory` : "no samples in the last hour"}`}>
      <figcaption className="text-xs text-muted-fg">
        GPU {gpu} {last ? `· ${last.util.toFixed(0)} % util · ${last.mem.toFixed(0)} % memory` : "· no samples"}
      </figcaption>
      <div className="h-24 w-full">
        <ResponsiveContainer>
          <LineChart data={data} margin={{ top: 4, right: 4, bottom: 0, left: -24 }}>
            <CartesianGrid strokeDasharray="3 3" className="stroke-border" />
            <XAxis dataKey="t" type="number" domain={["dataMin", "dataMax"]} scale="time" tickFormatter={(t) => new Date(t).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })} fontSize={10} />
            <YAxis domain={[0, 100]} fontSize={10} />
            <Tooltip labelFormatter={(t) => new Date(Number(t)).toLocaleTimeString()} formatter={(v, name) => [`${Number(v).toFixed(0)} %`, name === "util" ? "utilization" : "memory"]} />
            <Line dataKey="util" stroke="var(--color-accent, #2563eb)" dot={false} isAnimationActive={false} />
            <Line dataKey="mem" stroke="var(--color-warn, #d97706)" dot={false} isAnimationActive={false} strokeDasharray="4 2" />
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
