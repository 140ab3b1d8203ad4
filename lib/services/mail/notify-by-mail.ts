// Notification mails follow the same events as the in-app notifications, for people who asked for them and whose
// address is confirmed; they are queued in the event's own transaction.
import "server-only";
import type { Tx } from "../../db/client";
import { smtpConfig } from "../../env";
import { CONFIRMED_PROOFS } from "../../schemas/user";
import { enqueueMail } from "./enqueue-mail";

const DECISIONS = { "access.approved": "approved", "access.denied": "denied", "access.revoked": "revoked" } as const;

/** An access decision (approved, denied, revoked) told to the people it concerns. Other kinds send no mail. */
export async function mailAccessDecision(tx: Tx, userIds: string[], kind: string, text: string, releaseId: string) {
  if (!Object.hasOwn(DECISIONS, kind) || !userIds.length || !smtpConfig()) return;
  const decision = DECISIONS[kind as keyof typeof DECISIONS];
  const people = await tx.user.findMany({ where: { id: { in: userIds }, mailAccessDecisions: true, disabled: false, emailProof: { in: CONFIRMED_PROOFS } }, select: { id: true, email: true } });
  for (const p of people) await enqueueMail(tx, { userId: p.id, to: p.email, mail: { template: "access-decision", params: { decision, text: text.slice(0, 500), releaseId } } });
}

/** A run that failed or was lost, told to its owner. The worker's own words (a failure reason) stay out of the
 * mail: the run's page shows them as what they are. */
export async function mailRunFailure(tx: Tx, runId: string, status: "FAILED" | "LOST") {
  if (!smtpConfig()) return;
  const run = await tx.run.findUnique({ where: { id: runId }, select: { name: true, owner: { select: { id: true, email: true, disabled: true, mailRunFailures: true, emailProof: true } } } });
  const o = run?.owner;
  if (!run || !o || o.disabled || !o.mailRunFailures || !o.emailProof || !CONFIRMED_PROOFS.includes(o.emailProof)) return;
  await enqueueMail(tx, { userId: o.id, to: o.email, mail: { template: "run-failed", params: { runId, runName: run.name.slice(0, 300), status } } });
}
