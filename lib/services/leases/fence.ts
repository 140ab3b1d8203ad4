// Who may report on a run (metrics, logs, status): its owner with runs:write, or the worker whose token holds
// the run's lease (policy action run:report). Fencing: a write that names a lease epoch is accepted only while
// that epoch is the run's newest live lease, so a presumed-dead agent that wakes up can never overwrite what its
// successor wrote.
import "server-only";
import { assertCan, type Actor } from "../../auth/policy";
import { pool } from "../../db/client";
import { sqlRows, type Executor } from "../../db/sql";
import { DomainError, notFound } from "../../errors";


const REPORTER = `SELECT r."ownerId", (SELECT w."tokenId" FROM "Lease" l JOIN "Worker" w ON w.id = l."workerId"
    WHERE l."runId" = r.id AND l."releasedAt" IS NULL ORDER BY l.epoch DESC LIMIT 1) AS "leaseTokenId"
  FROM "Run" r WHERE r.id = $1`;

/** Before a body is read: one indexed query, so a caller who may not report on this run is refused before any
 * byte of a large (or compressed) body costs anything. The writing transaction checks again. */
export async function preauthorizeReport(actor: Actor, runId: string) {
  const { rows } = await pool().query<{ ownerId: string; leaseTokenId: string | null }>(REPORTER, [runId]);
  if (!rows[0]) throw notFound("Run");
  assertCan(actor, "run:report", rows[0]);
}

// FOR SHARE: the sweeper (or a new claim) can't release this lease until the write that checked it commits,
// so a write can never land after its lease was taken away.
const LEASE_AT_EPOCH = `SELECT w."tokenId", l."releasedAt" IS NULL AND l."expiresAt" > (now() AT TIME ZONE 'UTC') AS live,
    l.epoch = (SELECT max(epoch) FROM "Lease" WHERE "runId" = $1) AS newest
  FROM "Lease" l JOIN "Worker" w ON w.id = l."workerId" WHERE l."runId" = $1 AND l.epoch = $2 FOR SHARE OF l`;

/** Call inside the transaction that writes, after locking the run row. */
export async function assertReporter(on: Executor, actor: Actor, runId: string, ownerId: string, epoch?: number) {
  if (epoch === undefined) return assertCan(actor, "run:report", { ownerId });
  const [lease] = await sqlRows<{ tokenId: string | null; live: boolean; newest: boolean }>(on, LEASE_AT_EPOCH, [runId, epoch]);
  // Authorized against the lease the caller names, so an agent whose lease was taken over learns it is stale
  // (409) rather than forbidden.
  assertCan(actor, "run:report", { ownerId, leaseTokenId: lease?.tokenId ?? null });
  if (!lease || !lease.live || !lease.newest) {
    throw new DomainError(`Lease epoch ${epoch} is not the run's current lease`, 409, "Stale lease", [{ field: "epoch", message: "stale or expired lease" }]);
  }
}
