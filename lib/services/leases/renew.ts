import "server-only";
import type { Tx } from "../../db/client";

type Held = { runId: string; epoch: number };
type Cause = "cancelled" | "lapsed" | "taken-over" | "closed" | "not-held";
export type Renewal = { runId: string; epoch: number; action: "continue" | "stop"; reason: string; expiresAt: string | null; cause: Cause | null };

/** Extends the leases a worker still holds by `ttlSeconds`; for each run it named, says whether to go on. A run
 * whose lease was released (cancelled, finished, taken over after the agent was presumed dead) or ran out gets
 * "stop", with its cause: only after "lapsed" is what its trainer wrote still taken (see fence.ts). A
 * (run, epoch) this worker never held gets "stop" with one neutral reason: a worker token learns nothing about
 * runs that are not its own, not even whether they exist. */
export async function renewLeases(tx: Tx, workerId: string, held: Held[], ttlSeconds: number): Promise<Renewal[]> {
  if (!held.length) return [];
  const rows = await tx.$queryRawUnsafe<{ runId: string; epoch: number; renewed: Date | null; mine: boolean; status: string | null; takenOver: boolean; ranOut: boolean }[]>(
    `WITH wanted AS (SELECT * FROM unnest($2::text[], $3::int[]) WITH ORDINALITY AS w("runId", epoch, ord)),
     renewed AS (
       UPDATE "Lease" l SET "expiresAt" = (now() AT TIME ZONE 'UTC') + make_interval(secs => $4)
       FROM wanted w, "Run" r
       WHERE l."runId" = w."runId" AND l.epoch = w.epoch AND l."workerId" = $1 AND l."releasedAt" IS NULL
         AND l."expiresAt" > (now() AT TIME ZONE 'UTC') AND r.id = l."runId" AND r.status IN ('STARTING', 'RUNNING')
       RETURNING l."runId", l.epoch, l."expiresAt")
     SELECT w."runId", w.epoch, n."expiresAt" AS renewed, l.id IS NOT NULL AS mine, r.status::text AS status,
       (l."releasedAt" IS NULL OR l."expiresAt" <= l."releasedAt") AS "ranOut",
       EXISTS (SELECT 1 FROM "Lease" x WHERE l.id IS NOT NULL AND x."runId" = w."runId" AND x.epoch > w.epoch) AS "takenOver"
     FROM wanted w
     LEFT JOIN renewed n ON n."runId" = w."runId" AND n.epoch = w.epoch
     LEFT JOIN "Lease" l ON l."runId" = w."runId" AND l.epoch = w.epoch AND l."workerId" = $1
     LEFT JOIN "Run" r ON l.id IS NOT NULL AND r.id = w."runId"
     ORDER BY w.ord`,
    workerId,
    held.map((h) => h.runId),
    held.map((h) => h.epoch),
    ttlSeconds,
  );
  return rows.map((r) => {
    if (r.renewed) return { runId: r.runId, epoch: r.epoch, action: "continue", reason: "", expiresAt: r.renewed.toISOString(), cause: null };
    const [cause, reason]: [Cause, string] =
      !r.mine ? ["not-held", "not a lease of this worker"]
      : r.takenOver ? ["taken-over", `lease ${r.epoch} was taken over by a newer one`]
      : r.status === "CANCELLED" ? ["cancelled", "cancelled"]
      : r.ranOut ? ["lapsed", `lease ${r.epoch} ran out (run ${r.status?.toLowerCase() ?? "gone"})`]
      : ["closed", `lease ${r.epoch} was ended (run ${r.status?.toLowerCase() ?? "gone"})`];
    return { runId: r.runId, epoch: r.epoch, action: "stop", reason, expiresAt: null, cause };
  });
}
