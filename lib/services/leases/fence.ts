// Who may report on a run (metrics, logs, status): its owner with runs:write, or the worker whose token holds
// the run's lease (policy action run:report). Fencing: a worker's write names the lease epoch it is made under.
// - Data (metrics, logs, checkpoint uploads) is taken while that epoch is the run's newest lease and is live or ran
//   out (rather than being ended by a status change: cancelled, finished, handed back): an agent cut off for longer
//   than its lease stops its trainer and sends what it wrote once the server answers again, as long as nobody has
//   taken the run over.
// - A status change needs that lease live.
// - Once a newer lease exists, the older holder is refused with 409 ("this worker no longer holds the run"), so a
//   presumed-dead agent that wakes up can never write over what its successor wrote.
import "server-only";
import { assertCan, type Action, type Actor, type WorkerActor } from "../../auth/policy";
import { pool } from "../../db/client";
import { sqlRows, type Executor } from "../../db/sql";
import { DomainError, notFound } from "../../errors";

export const NO_LONGER_HOLDS = "This worker no longer holds the run";

const staleLease = (why: string) => new DomainError(`${NO_LONGER_HOLDS}: ${why}`, 409, "Stale lease", [{ field: "epoch", message: "stale or expired lease" }]);

// A lease "ran out" when it expired before anything released it (the sweep releases it after); one released
// while still running was ended by a status change.
const RAN_OUT_OR_LIVE = (l: string) => `(${l}."releasedAt" IS NULL OR ${l}."expiresAt" <= ${l}."releasedAt")`;

// The run's newest lease, and whether the caller's token ever held one of its leases.
const STANDING = `SELECT r."ownerId", n.epoch AS "newestEpoch", nw."tokenId" AS "newestTokenId",
    (n."releasedAt" IS NULL AND n."expiresAt" > (now() AT TIME ZONE 'UTC')) AS "newestLive", ${RAN_OUT_OR_LIVE("n")} AS "newestOpen",
    EXISTS (SELECT 1 FROM "Lease" l JOIN "Worker" w ON w.id = l."workerId" WHERE l."runId" = r.id AND w."tokenId" = $2) AS "heldByCaller"
  FROM "Run" r
  LEFT JOIN LATERAL (SELECT epoch, "workerId", "releasedAt", "expiresAt" FROM "Lease" WHERE "runId" = r.id ORDER BY epoch DESC LIMIT 1) n ON true
  LEFT JOIN "Worker" nw ON nw.id = n."workerId"
  WHERE r.id = $1`;

type Standing = { ownerId: string; newestEpoch: number | null; newestTokenId: string | null; newestLive: boolean | null; newestOpen: boolean | null; heldByCaller: boolean };

async function standing(runId: string, tokenId: string | null) {
  const { rows } = await pool().query<Standing>(STANDING, [runId, tokenId]);
  if (!rows[0]) throw notFound("Run");
  return rows[0];
}

/** Before a body is read: one indexed query, so a caller who may not report on this run is refused before any
 * byte of a large (or compressed) body costs anything. A worker that held any lease of the run passes: the
 * writing transaction judges the epoch it names (taken, or 409 when it is stale). */
export async function preauthorizeReport(actor: Actor, runId: string) {
  const s = await standing(runId, actor.kind === "worker" ? actor.tokenId : null);
  if (actor.kind === "worker" && s.heldByCaller) return;
  assertCan(actor, "run:report", { ownerId: s.ownerId, leaseTokenId: s.newestLive ? s.newestTokenId : null });
}

/** A worker reading what its run needs. The holder of the run's live lease may read its checkpoints and volumes;
 * the holder of its newest lease may still list the checkpoints after that lease ran out (a late agent confirms its
 * uploads); a worker that held the run before gets 409; any other worker token is refused by the policy. */
export async function assertWorkerRead(actor: WorkerActor, runId: string, action: Action) {
  const s = await standing(runId, actor.tokenId);
  const newest = s.newestTokenId === actor.tokenId;
  if (newest && (s.newestLive || (action === "checkpoint:read" && s.newestOpen))) return assertCan(actor, action, { ownerId: s.ownerId, leaseTokenId: actor.tokenId });
  if (s.heldByCaller) throw staleLease(newest ? `its lease ${s.newestEpoch} has ended` : `a newer lease (${s.newestEpoch}) took it over`);
  assertCan(actor, action, { ownerId: s.ownerId, leaseTokenId: s.newestLive ? s.newestTokenId : null });
}

// FOR SHARE: the sweeper can't release this lease until the write that checked it commits; a claim (the only
// way a newer lease appears) locks the run row, which every write holds, so a write never lands after a takeover.
const LEASE_AT_EPOCH = `SELECT w."tokenId", l."releasedAt" IS NULL AND l."expiresAt" > (now() AT TIME ZONE 'UTC') AS live,
    ${RAN_OUT_OR_LIVE("l")} AS open, l.epoch = (SELECT max(epoch) FROM "Lease" WHERE "runId" = $1) AS newest
  FROM "Lease" l JOIN "Worker" w ON w.id = l."workerId" WHERE l."runId" = $1 AND l.epoch = $2 FOR SHARE OF l`;

/** Call inside the transaction that writes, after locking the run row. `data`: metrics, logs and checkpoints,
 * taken from the newest lease even after it ran out; `status`: a status change, which needs it live. */
export async function assertReporter(on: Executor, actor: Actor, runId: string, ownerId: string, epoch?: number, write: "data" | "status" = "status") {
  if (epoch === undefined) return assertCan(actor, "run:report", { ownerId });
  const [lease] = await sqlRows<{ tokenId: string | null; live: boolean; open: boolean; newest: boolean }>(on, LEASE_AT_EPOCH, [runId, epoch]);
  // Authorized against the lease the caller names, so an agent whose lease was taken over learns it is stale
  // (409) rather than forbidden; a token that never held that lease is forbidden.
  assertCan(actor, "run:report", { ownerId, leaseTokenId: lease?.tokenId ?? null });
  if (!lease) throw staleLease(`the run has no lease ${epoch}`);
  if (!lease.newest) throw staleLease(`its lease ${epoch} was taken over by a newer one`);
  if (!lease.open) throw staleLease(`its lease ${epoch} was ended by a change of the run's status`);
  if (!lease.live && write === "status") throw staleLease(`its lease ${epoch} ran out; what it wrote is still taken, but a status change needs a live lease`);
}
