import "server-only";
import type { z } from "zod";
import { assertCan, type Actor } from "../../auth/policy";
import { pool } from "../../db/client";
import { notFound } from "../../errors";
import { locateSeries, readSeries } from "../../metrics/read-series";
import type { ZCompareQuery, ZMetricQuery } from "../../schemas/metrics";

export async function readRunMetric(actor: Actor, runId: string, q: z.output<typeof ZMetricQuery>) {
  assertCan(actor, "run:read");
  const [found] = await locateSeries(pool(), [{ runId, key: q.key }]);
  if (!found.runFound) throw notFound("Run");
  return { runId, key: q.key, x: q.x, ...(await readSeries(pool(), found.extent, q)) };
}

/** Many runs' series in one request, for the compare view: located in one query, each distinct one read once,
 * in parallel. */
export async function compareMetrics(actor: Actor, q: z.output<typeof ZCompareQuery>) {
  assertCan(actor, "run:read");
  const distinct = [...new Map(q.series.map((s) => [`${s.runId}\u0000${s.key}`, s])).values()];
  const located = await locateSeries(pool(), distinct);
  if (located.some((l) => !l.runFound)) throw notFound("Run");
  const series = await Promise.all(distinct.map(async (s, i) => ({ runId: s.runId, key: s.key, x: q.x, ...(await readSeries(pool(), located[i].extent, q)) })));
  return { series };
}
