"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { apiFetch, ApiProblem } from "@/lib/api/client-fetch";
import { can, type UserActor } from "@/lib/auth/policy";
import { DEFAULT_CHART_SETTINGS, type ChartSettings } from "../charts/chart-controls";
import { Breadcrumb } from "../ui/breadcrumb";
import { EmptyState } from "../ui/empty-state";
import { Tabs } from "../ui/tabs";
import { RunActions } from "./run-actions";
import { RunCharts } from "./run-charts";
import { PromoteCheckpoint } from "../releases/promote-checkpoint";
import { RunReleases } from "../releases/run-releases";
import { RunConfig } from "./run-config";
import { RunLogs } from "./run-logs";
import { RunTimeline } from "./run-timeline";
import { isActive, type Run } from "./run-types";
import { StatusBadge } from "./status-badge";

export function RunDetail({ id, actor, initial }: { id: string; actor: UserActor; initial?: Run }) {
  const run = useQuery({
    queryKey: ["run", id],
    queryFn: () => apiFetch<Run>(`/runs/${id}`),
    initialData: initial,
    // Status, new metric keys and events arrive through this poll while the run can still change.
    refetchInterval: (q) => (isActive(q.state.data?.status) ? 1500 : false),
  });
  const [settings, setSettings] = useState<ChartSettings>(DEFAULT_CHART_SETTINGS);

  if (run.isPending) {
    return (
      <p role="status" className="flex h-40 items-center justify-center text-sm text-muted-fg">
        Loading run…
      </p>
    );
  }
  if (run.isError) {
    const missing = run.error instanceof ApiProblem && run.error.status === 404;
    return (
      <EmptyState title={missing ? "Run not found" : "Could not load this run"} action={<Link href="/runs" className="text-sm font-medium text-primary underline-offset-2 hover:underline">All runs</Link>}>
        {missing ? "It may have been deleted." : run.error.message}
      </EmptyState>
    );
  }
  const r = run.data;
  const live = isActive(r.status);
  const charts = { run: r, settings, onSettings: setSettings };
  return (
    <article className="flex flex-col gap-6">
      <header className="flex flex-col gap-2">
        <Breadcrumb parent={{ href: "/runs", label: "Runs" }} current={r.name} />
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold">{r.name}</h1>
          <span aria-live="polite">
            <StatusBadge status={r.status} />
          </span>
          {r.archived && <span className="rounded bg-muted px-2 py-0.5 text-xs text-muted-fg">archived</span>}
          <div className="ml-auto">{can(actor, "run:write", { ownerId: r.owner.id }) && <RunActions run={r} />}</div>
        </div>
        <p className="flex flex-wrap gap-x-4 gap-y-1 text-sm text-muted-fg">
          <span>{r.owner.name || r.owner.email}</span>
          <span>
            {r.preset} · {r.gpus} GPU{r.gpus === 1 ? "" : "s"} · {r.executor.toLowerCase()}
          </span>
          <span>
            created{" "}
            <time dateTime={r.createdAt} suppressHydrationWarning>
              {new Date(r.createdAt).toLocaleString()}
            </time>
          </span>
          {r.license && <span>license: {r.license}</span>}
        </p>
        {r.tags.length > 0 && (
          <ul aria-label="Tags" className="flex flex-wrap gap-1">
            {r.tags.map((t) => (
              <li key={t} className="rounded border border-border px-1.5 text-xs text-muted-fg">
                {t}
              </li>
            ))}
          </ul>
        )}
      </header>
      <Tabs
        label="Run views"
        tabs={[
          { value: "charts", label: "Charts", content: <RunCharts system={false} {...charts} /> },
          { value: "system", label: "System", content: <RunCharts system {...charts} /> },
          { value: "logs", label: "Logs", content: <RunLogs runId={r.id} live={live} /> },
          { value: "timeline", label: "Timeline", content: <RunTimeline run={r} /> },
          { value: "config", label: "Config", content: <RunConfig run={r} /> },
          { value: "release", label: "Release", content: (
              <div className="flex flex-col gap-6">
                <RunReleases runId={r.id} />
                <PromoteCheckpoint runId={r.id} runName={r.name} mixLicense={r.license ?? null} />
              </div>
            ) },
        ]}
      />
    </article>
  );
}
