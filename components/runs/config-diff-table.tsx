"use client";
import { useMemo, useState } from "react";
import { diffConfigs, runConfigValues } from "@/lib/charts/config-diff";
import { Table, Td, Th } from "../ui/table";
import type { Run } from "./run-types";

export function ConfigDiffTable({ runs, colors }: { runs: Run[]; colors: Record<string, string> }) {
  const [all, setAll] = useState(false);
  const values = useMemo(() => runs.map(runConfigValues), [runs]);
  const rows = useMemo(() => diffConfigs(values, { all }), [values, all]);
  return (
    <section aria-labelledby="config-diff" className="flex flex-col gap-3">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 id="config-diff" className="font-semibold">
          Configuration {all ? "" : "differences"}
        </h2>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} />
          Show settings that are the same
        </label>
      </div>
      {rows.length === 0 ? (
        <p className="text-sm text-muted-fg">These runs share every setting.</p>
      ) : (
        <Table caption={all ? "All settings of the compared runs" : "Settings that differ between the compared runs"}>
          <thead>
            <tr>
              <Th>Setting</Th>
              {runs.map((r) => (
                <Th key={r.id}>
                  <span aria-hidden className="mr-1.5 inline-block h-2 w-2 rounded-full" style={{ background: colors[r.id] }} />
                  {r.name}
                </Th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.key}>
                <Td className="font-mono">
                  {row.key}
                  {all && row.differs && <span className="sr-only"> (differs)</span>}
                </Td>
                {row.values.map((v, i) => (
                  <Td key={runs[i].id} className={`break-all font-mono tabular-nums ${row.differs ? "font-semibold" : "text-muted-fg"}`}>
                    {v ?? <span className="text-muted-fg">—</span>}
                  </Td>
                ))}
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </section>
  );
}
