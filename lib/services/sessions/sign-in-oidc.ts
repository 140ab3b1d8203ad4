import "server-only";
import { recordAudit } from "../../audit/record-audit";
import { db } from "../../db/client";
import { oidcConfig } from "../../env";
import { insertUser } from "../users/create-user";
import { lockUser } from "../users/lock-user";
import { openSession } from "./open-session";
import { revokeUserSessions } from "./revoke-sessions";

type Claims = { subject: string; email?: string; emailVerified: boolean; name?: string };

/** Finds or creates the user behind an SSO login. An email links to an existing account only when the identity
 * provider verified it. An account whose email nobody ever proved (self-registered) is claimed: whoever
 * registered it first loses its password, tokens and sessions, since only the SSO user has shown they own the
 * address. Admin and disabled accounts are never reached through an identity provider. */
export async function signInWithOidc(issuer: string, c: Claims) {
  return db.$transaction(async (tx) => {
    const identity = await tx.identity.findUnique({ where: { issuer_subject: { issuer, subject: c.subject } }, include: { user: true } });
    let user = identity?.user ?? null;
    const email = c.email?.trim().toLowerCase();
    const system = { actor: { kind: "system" as const, label: `sso ${issuer}` } };
    if (!user && email) {
      const byEmail = await tx.user.findUnique({ where: { email } });
      if (byEmail && (!c.emailVerified || byEmail.role === "ADMIN" || byEmail.disabled)) return null;
      if (byEmail && !byEmail.emailVerifiedAt) {
        // FOR UPDATE first: a token or session being made for this account right now finishes before the
        // revocations below (and is revoked by them), or starts after and finds the account claimed.
        await lockUser(tx, byEmail.id, "update");
        const now = new Date();
        const tokens = await tx.apiToken.updateMany({ where: { userId: byEmail.id, revokedAt: null }, data: { revokedAt: now } });
        const sessions = await revokeUserSessions(tx, byEmail.id, now);
        user = await tx.user.update({ where: { id: byEmail.id }, data: { passwordHash: null, emailVerifiedAt: now, emailProof: "SSO" } });
        await recordAudit(tx, system, { action: "user.claimed_by_sso", targetType: "user", targetId: user.id, details: { email, issuer, tokensRevoked: tokens.count, sessionsRevoked: sessions } });
      } else {
        user = byEmail ?? (await insertUser(tx, system, { email, name: c.name ?? email, role: oidcConfig()?.defaultRole ?? "CLINICIAN", emailVerified: true, emailProof: c.emailVerified ? "SSO" : null }, "user.register_sso"));
      }
      await tx.identity.create({ data: { issuer, subject: c.subject, userId: user.id } });
    }
    if (!user || user.disabled) return null;
    // The provider vouches for this account's address now: what release domain rules trust (an admin's word doesn't).
    const vouched = c.emailVerified && email === user.email && user.emailProof !== "SSO" && user.emailProof !== "LINK";
    await tx.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date(), ...(vouched ? { emailProof: "SSO", emailVerifiedAt: user.emailVerifiedAt ?? new Date() } : {}) } });
    const sessionId = await openSession(tx, user.id, "oidc");
    await recordAudit(tx, { actor: { kind: "user", id: user.id, email: user.email, role: user.role } }, { action: "session.sign_in", targetType: "session", targetId: sessionId, details: { method: "oidc", issuer } });
    return { user, sessionId };
  });
}
