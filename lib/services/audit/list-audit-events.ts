import "server-only";
import type { z } from "zod";
import type { Prisma } from "../../../generated/prisma/client";
import { assertCan, type Actor } from "../../auth/policy";
import { db } from "../../db/client";
import type { ZAuditQuery } from "../../schemas/audit";

export async function listAuditEvents(actor: Actor, q: z.output<typeof ZAuditQuery>) {
  assertCan(actor, "audit:read");
  const where: Prisma.AuditEventWhereInput = {
    ...(q.action ? { action: { startsWith: q.action } } : {}),
    ...(q.actor ? { actorLabel: { contains: q.actor, mode: "insensitive" } } : {}),
    ...(q.target ? { OR: [{ targetType: q.target }, { targetId: q.target }] } : {}),
    ...(q.before ? { id: { lt: q.before } } : {}),
  };
  const rows = await db.auditEvent.findMany({ where, orderBy: { id: "desc" }, take: q.limit + 1 });
  const events = rows.slice(0, q.limit);
  return {
    events: events.map((e) => ({ ...e, id: e.id.toString(), createdAt: e.createdAt.toISOString(), details: e.details ?? null })),
    nextBefore: rows.length > q.limit ? events[events.length - 1].id.toString() : null,
  };
}
