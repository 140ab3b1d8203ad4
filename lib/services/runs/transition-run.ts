import "server-only";
import type { RunStatus } from "../../../generated/prisma/enums";
import { recordAudit, type ServiceContext } from "../../audit/record-audit";
import { actorLabel, assertCan } from "../../auth/policy";
import { db, type Tx } from "../../db/client";
import { conflict, notFound } from "../../errors";
import { canTransition, TERMINAL } from "../../runs/state-machine";
import { assertReporter } from "../leases/fence";
import { releaseLeases } from "../leases/release";
import { mailRunFailure } from "../mail/notify-by-mail";

/** Statuses in which no agent works on the run any more. */
const UNLEASED: RunStatus[] = ["SUCCEEDED", "FAILED", "CANCELLED", "LOST", "PREEMPTED", "QUEUED"];

/** Moves a run to a new status if the state machine allows it; the change, its time and its cause are recorded. */
export async function applyTransition(tx: Tx, ctx: ServiceContext, runId: string, to: RunStatus, reason: string) {
  // Row lock: two concurrent transitions are applied one after the other, each checked against the state it sees.
  const rows = await tx.$queryRaw<{ status: RunStatus }[]>`SELECT status FROM "Run" WHERE id = ${runId} FOR UPDATE`;
  if (!rows.length) throw notFound("Run");
  const from = rows[0].status;
  if (!canTransition(from, to)) throw conflict(`A ${from.toLowerCase()} run cannot become ${to.toLowerCase()}`, [{ field: "to", message: `not allowed from ${from}` }]);
  const now = new Date();
  const run = await tx.run.update({
    where: { id: runId },
    data: {
      status: to,
      statusChangedAt: now,
      lastActivityAt: now,
      ...(to === "RUNNING" ? { startedAt: now } : {}),
      ...(TERMINAL.includes(to) ? { finishedAt: now } : {}),
      ...(to === "QUEUED" ? { finishedAt: null } : {}),
    },
  });
  if (UNLEASED.includes(to)) await releaseLeases(tx, runId, now);
  await tx.runEvent.create({ data: { runId, from, to, reason, actor: actorLabel(ctx.actor), at: now } });
  await recordAudit(tx, ctx, { action: `run.${to.toLowerCase()}`, targetType: "run", targetId: runId, details: { from, to, reason } });
  // Every failure passes here (an agent's report, the lease sweep, the silence sweep): its mail commits with it.
  if (to === "FAILED" || to === "LOST") await mailRunFailure(tx, runId, to);
  return run;
}

export async function transitionRun(ctx: ServiceContext, runId: string, input: { to: RunStatus; reason: string; epoch?: number }) {
  assertCan(ctx.actor, "run:report");
  return db.$transaction(async (tx) => {
    // Lock first, then check: the lease and the status are judged on the state this change will apply to.
    const [run] = await tx.$queryRaw<{ ownerId: string; status: RunStatus }[]>`SELECT "ownerId", status FROM "Run" WHERE id = ${runId} FOR UPDATE`;
    if (!run) throw notFound("Run");
    await assertReporter(tx, ctx.actor, runId, run.ownerId, input.epoch);
    // An agent retrying a report whose answer it lost (RUNNING, twice) under its live lease: already done.
    if (input.epoch !== undefined && run.status === input.to) return tx.run.findUniqueOrThrow({ where: { id: runId } });
    const changed = await applyTransition(tx, ctx, runId, input.to, input.reason);
    // A preempted run did nothing wrong (its agent was stopped): it goes straight back to the queue.
    if (input.to === "PREEMPTED") return applyTransition(tx, ctx, runId, "QUEUED", "requeued after preemption");
    return changed;
  });
}

/** A person's decision (runs:write), not a report: the worker learns of it with its next heartbeat. */
export async function cancelRun(ctx: ServiceContext, runId: string) {
  assertCan(ctx.actor, "run:write");
  return db.$transaction(async (tx) => {
    const [run] = await tx.$queryRaw<{ ownerId: string }[]>`SELECT "ownerId" FROM "Run" WHERE id = ${runId} FOR UPDATE`;
    if (!run) throw notFound("Run");
    assertCan(ctx.actor, "run:write", { ownerId: run.ownerId });
    return applyTransition(tx, ctx, runId, "CANCELLED", "cancelled by a user");
  });
}
