import "server-only";
import type { z } from "zod";
import { assertCan, type Actor } from "../../auth/policy";
import { db, pool } from "../../db/client";
import { notFound } from "../../errors";
import { readSeries } from "../../metrics/read-series";
import type { ZCompareQuery, ZMetricQuery } from "../../schemas/metrics";

async function keyId(runId: string, key: string) {
  const k = await db.metricKey.findUnique({ where: { runId_key: { runId, key } }, select: { id: true } });
  return k?.id ?? null;
}

export async function readRunMetric(actor: Actor, runId: string, q: z.output<typeof ZMetricQuery>) {
  assertCan(actor, "run:read");
  if (!(await db.run.count({ where: { id: runId } }))) throw notFound("Run");
  return { runId, key: q.key, x: q.x, ...(await readSeries(pool(), await keyId(runId, q.key), q)) };
}

/** Many runs' series in one request, for the compare view. */
export async function compareMetrics(actor: Actor, q: z.output<typeof ZCompareQuery>) {
  assertCan(actor, "run:read");
  const runIds = [...new Set(q.series.map((s) => s.runId))];
  const found = await db.run.count({ where: { id: { in: runIds } } });
  if (found !== runIds.length) throw notFound("Run");
  const series = await Promise.all(
    q.series.map(async (s) => ({ runId: s.runId, key: s.key, x: q.x, ...(await readSeries(pool(), await keyId(s.runId, s.key), q)) })),
  );
  return { series };
}
