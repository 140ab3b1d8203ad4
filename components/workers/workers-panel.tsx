"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { apiFetch } from "@/lib/api/client-fetch";
import { workerHints, type WorkerFacts } from "@/lib/workers/worker-hints";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { EmptyState } from "../ui/empty-state";
import { useToast } from "../ui/toast";
import { GpuChart, type Sample } from "./gpu-chart";

type Worker = {
  id: string; name: string; hostname: string; status: "idle" | "busy" | "draining" | "lost" | "removed";
  owner: { email: string } | null; labels: string[]; executor: string; maxRuns: number;
  gpus: { index: number; name: string; memoryBytes: number }[]; info: WorkerFacts;
  lastHeartbeatAt: string | null; runs: { id: string; name: string; status: string; gpuIndices: number[] }[];
};

const TONE = { idle: "ok", busy: "ok", draining: "warn", lost: "danger", removed: "neutral" } as const;
const gib = (b?: number) => (b ? `${(b / 2 ** 30).toFixed(0)} GiB` : "?");

function ago(iso: string | null) {
  if (!iso) return "never";
  const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  return s < 90 ? `${s} s ago` : s < 5400 ? `${Math.round(s / 60)} min ago` : new Date(iso).toLocaleString();
}

function WorkerCard({ w, canManage }: { w: Worker; canManage: boolean }) {
  const client = useQueryClient();
  const toast = useToast();
  const [confirming, setConfirming] = useState(false);
  const samples = useQuery({ queryKey: ["worker-samples", w.id], queryFn: () => apiFetch<{ samples: Sample[] }>(`/workers/${w.id}/samples`), refetchInterval: 10_000, enabled: w.gpus.length > 0 });
  const done = (title: string) => {
    toast({ tone: "ok", title });
    client.invalidateQueries({ queryKey: ["workers"] });
  };
  const drain = useMutation({ mutationFn: (draining: boolean) => apiFetch(`/workers/${w.id}`, { method: "PATCH", body: { draining } }), onSuccess: (_r, d) => done(d ? "Draining: no new runs" : "Taking runs again") });
  const remove = useMutation({ mutationFn: () => apiFetch(`/workers/${w.id}`, { method: "DELETE" }), onSuccess: () => done("Worker removed and its token revoked") });
  return (
    <li className="flex flex-col gap-3 rounded border border-border p-4" data-testid="worker-card" aria-labelledby={`worker-${w.id}`}>
      <div className="flex flex-wrap items-center gap-2">
        <h2 id={`worker-${w.id}`} className="font-medium">{w.name}</h2>
        <Badge tone={TONE[w.status]}>{w.status}</Badge>
        <span className="text-sm text-muted-fg">{w.hostname} · {w.executor.toLowerCase()} · up to {w.maxRuns} run{w.maxRuns > 1 ? "s" : ""} · last heartbeat {ago(w.lastHeartbeatAt)}</span>
      </div>
      <p className="text-sm">
        {w.gpus.length ? w.gpus.map((g) => `GPU ${g.index}: ${g.name} (${gib(g.memoryBytes)})`).join(" · ") : "No GPU (CPU worker)"} · {w.info.cpus ?? "?"} CPUs · {gib(w.info.memoryBytes)} RAM
        {w.labels.length > 0 && <> · labels {w.labels.join(", ")}</>}
      </p>
      {(w.info.python || w.info.torch) && (
        <p className="text-sm text-muted-fg" data-testid="worker-software">
          Reported by its agent: Python <span className="font-mono">{w.info.python ?? "?"}</span> · PyTorch{" "}
          <span className="font-mono">{w.info.torch ?? "not importable"}</span>
          {w.info.torch && w.info.cuda !== undefined && w.info.cuda !== null && <> · CUDA {w.info.cuda ? "available" : "not available"}</>}
        </p>
      )}
      {workerHints(w.info, w.gpus.length).map((h) => (
        <p key={h.id} role="alert" className={`text-sm ${h.tone === "danger" ? "text-danger" : "text-warn"}`} data-testid="worker-hint">
          {h.text} {h.command && <code>{h.command}</code>}
        </p>
      ))}
      {w.runs.length > 0 && (
        <ul className="text-sm">
          {w.runs.map((r) => (
            <li key={r.id}>
              Running <Link className="underline" href={`/runs/${r.id}`}>{r.name}</Link> ({r.status.toLowerCase()}{r.gpuIndices.length ? `, GPUs ${r.gpuIndices.join(",")}` : ""})
            </li>
          ))}
        </ul>
      )}
      {w.gpus.length > 0 && (
        <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
          {w.gpus.map((g) => <GpuChart key={g.index} gpu={g.index} samples={samples.data?.samples ?? []} />)}
        </div>
      )}
      {canManage && w.status !== "removed" && (
        <div className="flex gap-2">
          <Button size="sm" variant="secondary" onClick={() => drain.mutate(w.status !== "draining")} disabled={drain.isPending}>
            {w.status === "draining" ? "Undrain" : "Drain"}
          </Button>
          {confirming ? (
            <>
              <Button size="sm" variant="danger" onClick={() => remove.mutate()} disabled={remove.isPending}>Remove {w.name} and revoke its token</Button>
              <Button size="sm" variant="secondary" onClick={() => setConfirming(false)}>Keep it</Button>
            </>
          ) : (
            <Button size="sm" variant="secondary" onClick={() => setConfirming(true)}>Remove…</Button>
          )}
        </div>
      )}
    </li>
  );
}

export function WorkersPanel({ canManage }: { canManage: boolean }) {
  const workers = useQuery({ queryKey: ["workers"], queryFn: () => apiFetch<{ workers: Worker[] }>("/workers"), refetchInterval: 5_000 });
  const rows = workers.data?.workers ?? [];
  if (workers.isLoading) return <p role="status">Loading workers…</p>;
  if (workers.error) return <p role="alert">{(workers.error as Error).message}</p>;
  if (!rows.length) {
    return (
      <EmptyState title="No workers attached">
        A worker is a machine that runs queued runs. Attach one below; <code>npm start</code> also starts a local CPU worker once an
        administrator exists (unless LOCAL_AGENT=false).
      </EmptyState>
    );
  }
  return (
    <ul className="flex flex-col gap-4" aria-label="Workers">
      {rows.map((w) => <WorkerCard key={w.id} w={w} canManage={canManage} />)}
    </ul>
  );
}
