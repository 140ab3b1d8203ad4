import "server-only";
import { actorLabel, type Actor } from "../auth/policy";
import { sqlExec, type Executor } from "../db/sql";

export type ServiceContext = { actor: Actor; ip?: string | null };

type AuditInput = { action: string; targetType: string; targetId?: string | null; details?: Record<string, unknown> };

function auditRow(ctx: ServiceContext, e: AuditInput) {
  const a = ctx.actor;
  return {
    actorType: a.kind === "user" ? (a.token ? "token" : "user") : a.kind,
    actorId: a.kind === "user" ? a.id : a.kind === "worker" ? a.userId : null,
    actorLabel: actorLabel(a),
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId ?? null,
    ip: ctx.ip ?? null,
    details: (e.details ?? undefined) as object | undefined,
  };
}

/** Every state change writes one of these inside the same transaction as the change itself. */
export async function recordAudit(on: Executor, ctx: ServiceContext, e: AuditInput) {
  const r = auditRow(ctx, e);
  await sqlExec(
    on,
    `INSERT INTO "AuditEvent" ("actorType", "actorId", "actorLabel", action, "targetType", "targetId", ip, details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)`,
    [r.actorType, r.actorId, r.actorLabel, r.action, r.targetType, r.targetId, r.ip, r.details === undefined ? null : JSON.stringify(r.details)],
  );
}
