"use client";
// The releases made from one run's checkpoints, on the run's Release tab: lineage in the other direction
// (a release's page links back to its run).
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { apiFetch } from "@/lib/api/client-fetch";
import { Badge } from "../ui/badge";

type Row = { id: string; name: string; version: string; status: string; policy: string; checkpointStep: number | null; deprecatedAt: string | null; downloads: number };

export function RunReleases({ runId }: { runId: string }) {
  const q = useQuery({ queryKey: ["releases", "run", runId], queryFn: () => apiFetch<{ releases: Row[] }>(`/releases?runId=${encodeURIComponent(runId)}`) });
  const rows = q.data?.releases ?? [];
  if (!rows.length) return null;
  return (
    <section aria-labelledby="run-releases-heading" className="flex flex-col gap-2">
      <h3 id="run-releases-heading" className="font-semibold">Released from this run</h3>
      <ul className="flex flex-col gap-1 text-sm">
        {rows.map((r) => (
          <li key={r.id} className="flex flex-wrap items-center gap-2">
            <Link className="font-medium underline" href={`/releases/${r.id}`}>{r.name} {r.version}</Link>
            <Badge tone={r.status === "PUBLISHED" ? "ok" : "warn"}>{r.status.toLowerCase()}</Badge>
            <Badge>{r.policy.toLowerCase()}</Badge>
            {r.deprecatedAt && <Badge tone="warn">deprecated</Badge>}
            <span className="text-muted-fg">{r.checkpointStep !== null ? `step ${r.checkpointStep}` : ""}{r.status === "PUBLISHED" ? `, ${r.downloads.toLocaleString("en")} downloads` : ""}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
