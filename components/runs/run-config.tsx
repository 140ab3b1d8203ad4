import Link from "next/link";
import { Facts } from "../ui/facts";
import { flattenConfig } from "@/lib/charts/config-diff";
import { Table, Td, Th } from "../ui/table";
import type { Run } from "./run-types";

export function RunConfig({ run }: { run: Run }) {
  const settings = Object.entries(flattenConfig(run.config));
  const total = run.datasetMix.reduce((s, m) => s + m.weight, 0);
  const facts: [string, string][] = [
    ["Preset", run.preset],
    ["Executor", run.executor],
    ["GPUs", String(run.gpus)],
    ["License of the weights", run.license ?? "—"],
    ["Retry policy", run.retryPolicy === undefined || run.retryPolicy === null ? "—" : Object.entries(flattenConfig(run.retryPolicy)).map(([k, v]) => `${k} ${v}`).join(", ") || JSON.stringify(run.retryPolicy)],
  ];
  return (
    <div className="flex max-w-4xl flex-col gap-8">
      {run.description && <p className="whitespace-pre-wrap text-sm">{run.description}</p>}
      <Facts items={facts} labelWidth="10rem" />
      <section className="flex flex-col gap-2">
        <h2 className="font-semibold">Dataset mix</h2>
        <Table caption="Dataset mix">
          <thead>
            <tr>
              <Th>Dataset</Th>
              <Th>Version</Th>
              <Th className="text-right">Weight</Th>
              <Th className="text-right">Share</Th>
              <Th>License</Th>
            </tr>
          </thead>
          <tbody>
            {run.datasetMix.map((m) => (
              <tr key={m.dataset}>
                <Td>{m.name}</Td>
                <Td>
                  {m.versionId ? (
                    <Link className="underline-offset-2 hover:underline" href={`/datasets/${m.dataset}/versions/${m.versionId}`}>
                      v{m.version}
                    </Link>
                  ) : (
                    "—"
                  )}
                </Td>
                <Td className="text-right tabular-nums">{m.weight}</Td>
                <Td className="text-right tabular-nums">{total > 0 ? `${Math.round((m.weight / total) * 100)}%` : "—"}</Td>
                <Td>{m.license}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
      </section>
      <section className="flex flex-col gap-2">
        <h2 className="font-semibold">Configuration</h2>
        {settings.length ? (
          <Table caption="Configuration passed to the trainer">
            <thead>
              <tr>
                <Th>Name</Th>
                <Th>Value</Th>
              </tr>
            </thead>
            <tbody>
              {settings.map(([k, v]) => (
                <tr key={k}>
                  <Td className="font-mono">{k}</Td>
                  <Td className="break-all font-mono tabular-nums">{v}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        ) : (
          <p className="text-sm text-muted-fg">The preset&apos;s defaults.</p>
        )}
      </section>
    </div>
  );
}
