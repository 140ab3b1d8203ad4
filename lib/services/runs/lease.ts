import type pg from "pg";
import { can, ForbiddenError, type Actor } from "../../auth/policy";
import type { Tx } from "../../db/client";
import { DomainError } from "../../errors";

type Query = (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

// FOR SHARE: the sweeper (or a new claim) can't release this lease until the write that checked it commits,
// so a write can never land after its lease was taken away.
const CURRENT_LEASE = `SELECT l.epoch, l."expiresAt" <= (now() AT TIME ZONE 'UTC') AS expired, w."tokenId" FROM "Lease" l JOIN "Worker" w ON w.id = l."workerId"
  WHERE l."runId" = $1 AND l."releasedAt" IS NULL ORDER BY l.epoch DESC LIMIT 1 FOR SHARE OF l`;

/** Fencing: only the holder of the run's newest live lease may write for it. A presumed-dead agent that wakes
 * up with an old epoch is refused, so it can never overwrite what its successor wrote. Call it inside the
 * transaction that writes. */
async function check(query: Query, actor: Actor, runId: string, epoch: number) {
  const [lease] = await query(CURRENT_LEASE, [runId]);
  if (!lease || lease.epoch !== epoch || lease.expired) {
    throw new DomainError(`Lease epoch ${epoch} is not the run's current lease`, 409, "Stale lease", [{ field: "epoch", message: "stale or expired lease" }]);
  }
  const holder = actor.kind === "user" && actor.token && lease.tokenId === actor.token.id;
  if (!holder && !can(actor, "worker:manage")) throw new ForbiddenError("worker:connect");
}

export const assertLeaseEpoch = (tx: Tx, actor: Actor, runId: string, epoch: number) =>
  check((sql, params) => tx.$queryRawUnsafe(sql, ...params), actor, runId, epoch);

export const assertLeaseEpochSql = (c: pg.PoolClient, actor: Actor, runId: string, epoch: number) =>
  check(async (sql, params) => (await c.query(sql, params)).rows, actor, runId, epoch);
