import { actorLabel, type Actor } from "../auth/policy";
import type { Tx } from "../db/client";

export type ServiceContext = { actor: Actor; ip?: string | null };

type AuditInput = { action: string; targetType: string; targetId?: string | null; details?: Record<string, unknown> };

/** Every state change writes one of these inside the same transaction as the change itself. */
export async function recordAudit(tx: Tx, ctx: ServiceContext, e: AuditInput) {
  const a = ctx.actor;
  await tx.auditEvent.create({
    data: {
      actorType: a.kind === "user" ? (a.token ? "token" : "user") : a.kind,
      actorId: a.kind === "user" ? a.id : null,
      actorLabel: actorLabel(a),
      action: e.action,
      targetType: e.targetType,
      targetId: e.targetId ?? null,
      ip: ctx.ip ?? null,
      details: (e.details ?? undefined) as object | undefined,
    },
  });
}
