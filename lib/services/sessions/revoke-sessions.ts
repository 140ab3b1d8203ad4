import "server-only";
import { recordAudit, type ServiceContext } from "../../audit/record-audit";
import { assertCan, type Actor } from "../../auth/policy";
import { db, type Tx } from "../../db/client";
import { notFound } from "../../errors";

/** Ends every live session of a user (disabling, an SSO claim, "sign out everywhere"). */
export async function revokeUserSessions(tx: Tx, userId: string, at = new Date()) {
  const r = await tx.userSession.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: at } });
  return r.count;
}

/** One of your own sessions (the current one included). Someone else's is reported as missing. */
export async function revokeSession(ctx: ServiceContext, id: string) {
  assertCan(ctx.actor, "session:write");
  return db.$transaction(async (tx) => {
    const s = await tx.userSession.findUnique({ where: { id } });
    if (!s || ctx.actor.kind !== "user" || s.userId !== ctx.actor.id) throw notFound("Session");
    assertCan(ctx.actor, "session:write", { ownerId: s.userId });
    if (!s.revokedAt) {
      await tx.userSession.update({ where: { id }, data: { revokedAt: new Date() } });
      await recordAudit(tx, ctx, { action: "session.revoke", targetType: "session", targetId: id });
    }
    return { id, revoked: true as const };
  });
}

export async function signOutEverywhere(ctx: ServiceContext) {
  assertCan(ctx.actor, "session:write");
  const actor = ctx.actor;
  if (actor.kind !== "user") return { revoked: 0 };
  return db.$transaction(async (tx) => {
    const revoked = await revokeUserSessions(tx, actor.id);
    await recordAudit(tx, ctx, { action: "session.revoke_all", targetType: "user", targetId: actor.id, details: { revoked } });
    return { revoked };
  });
}

/** next-auth's sign-out: the cookie is cleared in the browser, and here the session it named stops working. */
export async function endSession(sid: string, uid: string) {
  await db.$transaction(async (tx) => {
    const r = await tx.userSession.updateMany({ where: { id: sid, userId: uid, revokedAt: null }, data: { revokedAt: new Date() } });
    if (r.count) {
      const user = await tx.user.findUnique({ where: { id: uid } });
      if (user) await recordAudit(tx, { actor: { kind: "user", id: uid, email: user.email, role: user.role, sessionId: sid } }, { action: "session.sign_out", targetType: "session", targetId: sid });
    }
  });
}

export async function listSessions(actor: Actor) {
  assertCan(actor, "session:read");
  if (actor.kind !== "user") return [];
  const rows = await db.userSession.findMany({ where: { userId: actor.id, revokedAt: null, expiresAt: { gt: new Date() } }, orderBy: { lastSeenAt: "desc" }, take: 200 });
  return rows.map((s) => ({ ...s, current: s.id === actor.sessionId }));
}
