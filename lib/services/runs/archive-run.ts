import "server-only";
import type { RunStatus } from "../../../generated/prisma/enums";
import { recordAudit, type ServiceContext } from "../../audit/record-audit";
import { assertCan } from "../../auth/policy";
import { db, sqlTransaction } from "../../db/client";
import { conflict, notFound } from "../../errors";
import { ACTIVE } from "../../runs/state-machine";

async function ownedRun(ctx: ServiceContext, id: string) {
  assertCan(ctx.actor, "run:write");
  const run = await db.run.findUnique({ where: { id } });
  if (!run) throw notFound("Run");
  assertCan(ctx.actor, "run:write", { ownerId: run.ownerId });
  return run;
}

export async function archiveRun(ctx: ServiceContext, id: string, archived = true) {
  await ownedRun(ctx, id);
  return db.$transaction(async (tx) => {
    const run = await tx.run.update({ where: { id }, data: { archivedAt: archived ? new Date() : null } });
    await recordAudit(tx, ctx, { action: archived ? "run.archive" : "run.unarchive", targetType: "run", targetId: id });
    return run;
  });
}

/** Deletes a run with all its data: metric points and rollups (no foreign keys there), keys, logs, events.
 * One transaction, holding the run's row lock, so a batch being written either finishes first or fails. */
export async function deleteRun(ctx: ServiceContext, id: string) {
  assertCan(ctx.actor, "run:write");
  return sqlTransaction(async (c) => {
    const run = (await c.query<{ ownerId: string; status: RunStatus; name: string }>(`SELECT "ownerId", status, name FROM "Run" WHERE id = $1 FOR UPDATE`, [id])).rows[0];
    if (!run) throw notFound("Run");
    assertCan(ctx.actor, "run:write", { ownerId: run.ownerId });
    if (ACTIVE.includes(run.status)) throw conflict("Cancel the run before deleting it", [{ field: "status", message: `run is ${run.status}` }]);
    const keys = (await c.query<{ id: number }>(`SELECT id FROM "MetricKey" WHERE "runId" = $1`, [id])).rows.map((r) => r.id);
    await c.query(`DELETE FROM "MetricPoint" WHERE "keyId" = ANY($1::int[])`, [keys]);
    await c.query(`DELETE FROM "MetricRollup" WHERE "keyId" = ANY($1::int[])`, [keys]);
    await c.query(`DELETE FROM "Run" WHERE id = $1`, [id]);
    await recordAudit(c, ctx, { action: "run.delete", targetType: "run", targetId: id, details: { name: run.name } });
    return { id, deleted: true as const };
  });
}
