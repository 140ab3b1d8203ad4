import "server-only";
import { assertCan, type Actor } from "../../auth/policy";
import { blobStore } from "../../blobs/blob-store";
import { db, pool } from "../../db/client";
import { notFound } from "../../errors";
import { servedRange, type ByteRange } from "../../http/byte-range";
import { assertWorkerRead } from "../leases/fence";

type LeaseReadAction = "checkpoint:read" | "checkpoint:download" | "run:data";

/** Decided by the policy on the run's owner and the token of the worker holding its live lease (a resumed run's
 * new worker): listing checkpoints and reading the run's data are for run readers, a checkpoint's bytes (the
 * weights of any release made from it) for its owner, admins and that worker only. Which lease a worker token
 * holds is fence.ts's to say (a former holder is told so, 409). */
export async function authorizeLeaseRead(actor: Actor, runId: string, action: LeaseReadAction = "checkpoint:read") {
  if (actor.kind === "worker") return assertWorkerRead(actor, runId, action);
  const { rows } = await pool().query<{ ownerId: string; leaseTokenId: string | null }>(
    `SELECT r."ownerId", (SELECT w."tokenId" FROM "Lease" l JOIN "Worker" w ON w.id = l."workerId"
       WHERE l."runId" = r.id AND l."releasedAt" IS NULL ORDER BY l.epoch DESC LIMIT 1) AS "leaseTokenId"
     FROM "Run" r WHERE r.id = $1`,
    [runId],
  );
  if (!rows[0]) throw notFound("Run");
  assertCan(actor, action, { ownerId: rows[0].ownerId, leaseTokenId: rows[0].leaseTokenId });
}

export async function listCheckpoints(actor: Actor, runId: string) {
  await authorizeLeaseRead(actor, runId);
  const rows = await db.checkpoint.findMany({ where: { runId }, orderBy: { step: "asc" } });
  return rows.map((c) => ({ step: Number(c.step), sha256: c.sha256, bytes: Number(c.bytes), createdAt: c.createdAt.toISOString() }));
}

/** The checkpoint's bytes in `range` (a resumed download); `open: false` (HEAD) authorizes and sizes without
 * touching the blob. */
export async function openCheckpoint(actor: Actor, runId: string, step: number, range: ByteRange | null = null, opts: { open?: boolean } = {}) {
  await authorizeLeaseRead(actor, runId, "checkpoint:download");
  const c = await db.checkpoint.findUnique({ where: { runId_step: { runId, step: BigInt(step) } } });
  if (!c) throw notFound("Checkpoint");
  const size = Number(c.bytes);
  const { from, end } = servedRange(range, size);
  const stream = opts.open === false || size === 0 ? null : blobStore().read(c.storageKey, { start: from, end });
  return { size, from, end, sha256: c.sha256, stream };
}
