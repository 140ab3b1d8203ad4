"use client";
import { useQuery } from "@tanstack/react-query";
import type { z } from "zod";
import { apiFetch } from "@/lib/api/client-fetch";
import type { ZReleaseStats } from "@/lib/schemas/release";
import { BarsChart } from "../datasets/bars-chart";

/** Downloads of the weights per day, for the release's maker and admins. */
export function DownloadStats({ releaseId }: { releaseId: string }) {
  const q = useQuery({ queryKey: ["release-stats", releaseId], queryFn: () => apiFetch<z.output<typeof ZReleaseStats>>(`/releases/${releaseId}/stats`) });
  if (!q.data) return null;
  return (
    <section aria-labelledby="stats-heading" className="flex flex-col gap-2">
      <h2 id="stats-heading" className="font-semibold">Downloads</h2>
      <p className="text-sm text-muted-fg">{q.data.total.toLocaleString("en")} downloads of the weights by {q.data.people.toLocaleString("en")} people (resumed parts and config fetches are not counted).</p>
      <BarsChart title="Weights downloads per day (90 days)" bins={q.data.days.map((d) => ({ label: d.day.slice(5), count: d.downloads }))} unit="downloads" />
    </section>
  );
}
