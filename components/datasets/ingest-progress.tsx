"use client";
import type { z } from "zod";
import type { ZIngestJob } from "@/lib/schemas/dataset";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { formatBytes, formatEta } from "./format";

type Job = z.output<typeof ZIngestJob>;
const TONE = { QUEUED: "neutral", RUNNING: "neutral", DONE: "ok", FAILED: "danger", CANCELLED: "warn" } as const;

/** One ingestion: a progress bar over bytes, files done and failed, the time left, and a way to stop it. */
export function IngestProgress({ job, onCancel }: { job: Job; onCancel?: () => void }) {
  const pct = job.totalBytes ? Math.round((100 * job.doneBytes) / job.totalBytes) : job.status === "DONE" ? 100 : 0;
  const active = job.status === "QUEUED" || job.status === "RUNNING";
  const label = `${job.source === "folder" ? `folder ${job.folder ?? ""}` : job.source}: ${job.status.toLowerCase()}`;
  return (
    <li className="flex flex-col gap-1 rounded border border-border p-3 text-sm">
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-medium">{job.source === "folder" ? `Folder ${job.folder ?? ""}` : job.source === "upload" ? "Upload" : "Sample"}</span>
        <Badge tone={TONE[job.status]}>{job.status.toLowerCase()}</Badge>
        <span className="text-muted-fg">
          {active && !job.listed ? "listing files…" : `${job.doneFiles.toLocaleString("en")} indexed, ${job.failedFiles.toLocaleString("en")} failed of ${job.totalFiles.toLocaleString("en")} files (${formatBytes(job.totalBytes)})`}
        </span>
        {active && job.listed && <span className="text-muted-fg">· {formatEta(job.etaSeconds)}</span>}
        {active && onCancel && (
          <Button size="sm" variant="secondary" className="ml-auto" onClick={onCancel}>
            Stop
          </Button>
        )}
      </div>
      <progress className="h-2 w-full" max={100} value={pct} aria-label={`${label}, ${pct} %`}>
        {pct} %
      </progress>
      {job.error && <p className="text-danger">{job.error}</p>}
    </li>
  );
}
