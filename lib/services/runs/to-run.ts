import "server-only";
import type { z } from "zod";
import type { ZRun, ZRunSummary } from "../../schemas/run";

type Summary = {
  id: string; name: string; status: z.infer<typeof ZRunSummary>["status"]; tags: string[]; preset: string;
  owner: { id: string; email: string; name: string }; gpus: number; executor: z.infer<typeof ZRunSummary>["executor"];
  license: string | null; archivedAt: Date | null; createdAt: Date; startedAt: Date | null; finishedAt: Date | null; statusChangedAt: Date;
};

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function toRunSummary(r: Summary): z.infer<typeof ZRunSummary> {
  return {
    id: r.id, name: r.name, status: r.status, tags: r.tags, preset: r.preset, owner: r.owner, gpus: r.gpus, executor: r.executor,
    license: r.license, archived: r.archivedAt !== null, createdAt: r.createdAt.toISOString(), startedAt: iso(r.startedAt),
    finishedAt: iso(r.finishedAt), statusChangedAt: r.statusChangedAt.toISOString(),
  };
}

type Full = Summary & {
  description: string; config: unknown; datasetMix: unknown; retryPolicy: unknown;
  events: { from: Summary["status"] | null; to: Summary["status"]; reason: string; actor: string; at: Date }[];
  metricKeys: { key: string }[];
};

export function toRun(r: Full): z.infer<typeof ZRun> {
  return {
    ...toRunSummary(r),
    description: r.description,
    config: r.config as Record<string, unknown>,
    datasetMix: r.datasetMix as z.infer<typeof ZRun>["datasetMix"],
    retryPolicy: r.retryPolicy,
    events: r.events.map((e) => ({ from: e.from, to: e.to, reason: e.reason, actor: e.actor, at: e.at.toISOString() })),
    metricKeys: r.metricKeys.map((k) => k.key),
  };
}
