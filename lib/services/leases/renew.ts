import "server-only";
import type { Tx } from "../../db/client";

type Held = { runId: string; epoch: number };
export type Renewal = { runId: string; epoch: number; action: "continue" | "stop"; reason: string; expiresAt: string | null };

/** Extends the leases a worker still holds by `ttlSeconds`; for each run it named, says whether to go on. A run
 * whose lease was released (cancelled, finished, taken over after the agent was presumed dead) gets "stop". */
export async function renewLeases(tx: Tx, workerId: string, held: Held[], ttlSeconds: number): Promise<Renewal[]> {
  if (!held.length) return [];
  const rows = await tx.$queryRawUnsafe<{ runId: string; epoch: number; renewed: Date | null; status: string | null; live: boolean | null }[]>(
    `WITH wanted AS (SELECT * FROM unnest($2::text[], $3::int[]) AS w("runId", epoch)),
     renewed AS (
       UPDATE "Lease" l SET "expiresAt" = (now() AT TIME ZONE 'UTC') + make_interval(secs => $4)
       FROM wanted w, "Run" r
       WHERE l."runId" = w."runId" AND l.epoch = w.epoch AND l."workerId" = $1 AND l."releasedAt" IS NULL
         AND l."expiresAt" > (now() AT TIME ZONE 'UTC') AND r.id = l."runId" AND r.status IN ('STARTING', 'RUNNING')
       RETURNING l."runId", l.epoch, l."expiresAt")
     SELECT w."runId", w.epoch, n."expiresAt" AS renewed, r.status::text AS status
     FROM wanted w LEFT JOIN renewed n ON n."runId" = w."runId" AND n.epoch = w.epoch LEFT JOIN "Run" r ON r.id = w."runId"`,
    workerId,
    held.map((h) => h.runId),
    held.map((h) => h.epoch),
    ttlSeconds,
  );
  return rows.map((r) => ({
    runId: r.runId,
    epoch: r.epoch,
    action: r.renewed ? "continue" : "stop",
    reason: r.renewed ? "" : r.status === "CANCELLED" ? "cancelled" : r.status ? `lease ${r.epoch} is no longer held (run ${r.status.toLowerCase()})` : "run not found",
    expiresAt: r.renewed ? r.renewed.toISOString() : null,
  }));
}
