import "server-only";
import type { Tx } from "../../db/client";

/** Ends a run's live leases: called by every status change that takes a run away from its agent (finished,
 * cancelled, lost, preempted, requeued), in the same transaction, so a lease never outlives the run's work. */
export async function releaseLeases(tx: Tx, runId: string, at = new Date()) {
  return tx.$executeRaw`UPDATE "Lease" SET "releasedAt" = ${at} WHERE "runId" = ${runId} AND "releasedAt" IS NULL`;
}
