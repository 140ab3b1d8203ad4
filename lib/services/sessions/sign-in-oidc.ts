import { recordAudit } from "../../audit/record-audit";
import { db } from "../../db/client";
import { oidcConfig } from "../../env";
import { insertUser } from "../users/create-user";

type Claims = { subject: string; email?: string; emailVerified: boolean; name?: string };

/** Finds or creates the user behind an SSO login. An email is linked to an existing account only when the
 * identity provider says it verified it, so nobody can take over an account by naming its email. */
export async function signInWithOidc(issuer: string, c: Claims) {
  return db.$transaction(async (tx) => {
    const identity = await tx.identity.findUnique({ where: { issuer_subject: { issuer, subject: c.subject } }, include: { user: true } });
    let user = identity?.user ?? null;
    const email = c.email?.trim().toLowerCase();
    if (!user && email) {
      const byEmail = await tx.user.findUnique({ where: { email } });
      // Linking needs the issuer's word that it verified the email, and never reaches an admin or a disabled
      // account: those sign in with their password and can't be taken over through an identity provider.
      if (byEmail && (!c.emailVerified || byEmail.role === "ADMIN" || byEmail.disabled)) return null;
      const system = { actor: { kind: "system" as const, label: `sso ${issuer}` } };
      user = byEmail ?? (await insertUser(tx, system, { email, name: c.name ?? email, role: oidcConfig()?.defaultRole ?? "CLINICIAN" }, "user.register_sso"));
      await tx.identity.create({ data: { issuer, subject: c.subject, userId: user.id } });
    }
    if (!user || user.disabled) return null;
    await tx.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
    await recordAudit(tx, { actor: { kind: "user", id: user.id, email: user.email, role: user.role } }, { action: "session.sign_in", targetType: "user", targetId: user.id, details: { method: "oidc", issuer } });
    return user;
  });
}
