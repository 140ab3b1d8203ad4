// Checkpoint uploads (tus): who may upload, and what a finished upload becomes. An upload names its run, the
// lease epoch it is made under, the checkpoint step and the sha256 of its bytes; every request of it is checked
// against the run's current lease (a fenced agent can't go on uploading), and a finished upload is kept only if
// its bytes hash to what it declared.
import "server-only";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { z } from "zod";
import { recordAudit } from "../../audit/record-audit";
import type { Actor } from "../../auth/policy";
import { blobStore } from "../../blobs/blob-store";
import { db, pool } from "../../db/client";
import { DomainError, invalid, notFound, zodFieldErrors } from "../../errors";
import { assertReporter } from "../leases/fence";

export const ZUploadMetadata = z.strictObject({
  runId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  epoch: z.coerce.number().int().min(1).max(2 ** 31 - 1),
  step: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "64 lowercase hex digits"),
  filename: z.string().regex(/^[\w.-]{1,100}$/).default("checkpoint.tar"),
});
export type UploadMetadata = z.output<typeof ZUploadMetadata>;

export function parseUploadMetadata(raw: Record<string, string | null | undefined> | undefined): UploadMetadata {
  const r = ZUploadMetadata.safeParse(Object.fromEntries(Object.entries(raw ?? {}).filter(([, v]) => v != null)));
  if (!r.success) throw invalid("Upload-Metadata must name runId, epoch, step and sha256", zodFieldErrors(r.error, "metadata"));
  return r.data;
}

/** The caller holds the run's newest lease at the declared epoch (live or lapsed: a late agent's checkpoints are
 * still taken until someone else takes the run over), or owns the run, with runs:write. */
export async function authorizeUpload(actor: Actor, meta: UploadMetadata) {
  const c = await pool().connect();
  try {
    await c.query("BEGIN");
    const { rows } = await c.query<{ ownerId: string }>(`SELECT "ownerId" FROM "Run" WHERE id = $1 FOR KEY SHARE`, [meta.runId]);
    if (!rows[0]) throw new DomainError("Run was not found", 404, "Not found");
    await assertReporter(c, actor, meta.runId, rows[0].ownerId, meta.epoch, "data");
  } finally {
    await c.query("COMMIT").catch(() => undefined);
    c.release();
  }
}

async function sha256Of(file: string) {
  const h = createHash("sha256");
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), h);
  return h.digest("hex");
}

/** A finished upload: hashed, moved into the blob store and recorded as the run's checkpoint of that step (a
 * re-upload of a step replaces it). A hash that doesn't match keeps nothing. */
export async function finishUpload(actor: Actor, meta: UploadMetadata, file: string, bytes: number, hashedOnTheWay: string | null = null) {
  // Hashed as the bytes arrived when the upload went through this process in order; read again otherwise.
  const actual = hashedOnTheWay ?? (await sha256Of(file));
  if (actual !== meta.sha256) {
    throw new DomainError(`The uploaded bytes hash to ${actual}, not the declared ${meta.sha256}; nothing was stored`, 400, "Checksum mismatch", [{ field: "metadata.sha256", message: "does not match the uploaded bytes" }]);
  }
  const key = `checkpoints/${meta.runId}/${meta.step}-${meta.sha256}.tar`;
  await blobStore().putFile(key, file);
  const replaced = await db.$transaction(async (tx) => {
    // Fenced here too, under the lease row's share lock: a stale agent's slow finish (hashing a large file) can't
    // record a checkpoint after another agent took the run over.
    const [run] = await tx.$queryRaw<{ ownerId: string }[]>`SELECT "ownerId" FROM "Run" WHERE id = ${meta.runId} FOR KEY SHARE`;
    if (!run) throw notFound("Run");
    await assertReporter(tx, actor, meta.runId, run.ownerId, meta.epoch, "data");
    const before = await tx.checkpoint.findUnique({ where: { runId_step: { runId: meta.runId, step: BigInt(meta.step) } }, select: { storageKey: true } });
    await tx.checkpoint.upsert({
      where: { runId_step: { runId: meta.runId, step: BigInt(meta.step) } },
      create: { runId: meta.runId, step: BigInt(meta.step), sha256: meta.sha256, bytes: BigInt(bytes), storageKey: key },
      update: { sha256: meta.sha256, bytes: BigInt(bytes), storageKey: key },
    });
    await recordAudit(tx, { actor }, { action: "checkpoint.upload", targetType: "run", targetId: meta.runId, details: { step: meta.step, bytes, sha256: meta.sha256 } });
    return before && before.storageKey !== key ? before.storageKey : null;
  }).catch(async (e) => {
    await blobStore().delete(key); // refused after all: the blob is nobody's
    throw e;
  });
  if (replaced) await blobStore().delete(replaced);
}
