import { describe, expect, it } from "vitest";
import { actorForSession, resolveActor } from "../../lib/auth/resolve-actor";
import { verifyPassword } from "../../lib/auth/password";
import { db } from "../../lib/db/client";
import { ZRegister } from "../../lib/schemas/user";
import { signInWithPassword } from "../../lib/services/sessions/sign-in";
import { signInWithOidc } from "../../lib/services/sessions/sign-in-oidc";
import { createToken } from "../../lib/services/tokens/create-token";
import { registerUser } from "../../lib/services/users/register-user";
import { makeUser, uniqueEmail } from "../support/factories";

const ISSUER = "https://idp.example.org";

describe("SSO sign-in", () => {
  it("creates a clinician with a verified email on first login and finds them again by subject", async () => {
    const email = uniqueEmail("sso");
    const a = await signInWithOidc(ISSUER, { subject: `s-${email}`, email, emailVerified: true, name: "Sso" });
    const b = await signInWithOidc(ISSUER, { subject: `s-${email}`, email: "changed@example.org", emailVerified: true });
    expect(a?.user.role).toBe("CLINICIAN");
    expect(a?.user.emailVerifiedAt).not.toBeNull();
    expect(b?.user.id).toBe(a?.user.id);
    expect(b?.sessionId).not.toBe(a?.sessionId);
  });

  it("links an existing account only on a verified email, and never an admin or disabled one", async () => {
    const researcher = await makeUser("RESEARCHER", { emailVerified: true });
    expect(await signInWithOidc(ISSUER, { subject: "u1", email: researcher.user.email, emailVerified: false })).toBeNull();
    expect((await signInWithOidc(ISSUER, { subject: "u2", email: researcher.user.email, emailVerified: true }))?.user.id).toBe(researcher.user.id);
    const admin = await makeUser("ADMIN", { emailVerified: true });
    expect(await signInWithOidc(ISSUER, { subject: "u3", email: admin.user.email, emailVerified: true })).toBeNull();
    const disabled = await makeUser("CLINICIAN", { disabled: true });
    expect(await signInWithOidc(ISSUER, { subject: "u4", email: disabled.user.email, emailVerified: true })).toBeNull();
    expect(await db.identity.count({ where: { subject: { in: ["u1", "u3", "u4"] } } })).toBe(0);
  });

  it("whoever registered someone else's email first loses the account to the SSO user who proves it", async () => {
    const email = uniqueEmail("victim");
    await registerUser({ actor: { kind: "anonymous" }, ip: "203.0.113.9" }, ZRegister.parse({ email, name: "Squatter", password: "squatter password" }));
    const squat = await signInWithPassword(email, "squatter password", "203.0.113.9");
    const token = await createToken({ actor: { kind: "user", id: squat.user.id, email, role: "CLINICIAN" } }, { name: "squat", scopes: ["read", "tokens"] });
    const bearer = new Headers({ authorization: `Bearer ${token.secret}` });
    const child = await createToken({ actor: await resolveActor(bearer) }, { name: "child", scopes: ["read"] });

    const owner = await signInWithOidc(ISSUER, { subject: "the-real-owner", email, emailVerified: true });
    expect(owner?.user.id).toBe(squat.user.id);
    const row = await db.user.findUniqueOrThrow({ where: { email }, omit: { passwordHash: false } });
    expect(row.passwordHash).toBeNull();
    expect(row.emailVerifiedAt).not.toBeNull();
    expect(await verifyPassword("squatter password", row.passwordHash)).toBe(false);
    await expect(signInWithPassword(email, "squatter password", "203.0.113.9")).rejects.toThrow(/Wrong/);
    await expect(resolveActor(bearer)).rejects.toThrow(/revoked/);
    await expect(resolveActor(new Headers({ authorization: `Bearer ${child.secret}` }))).rejects.toThrow(/revoked/);
    expect((await actorForSession({ uid: squat.user.id, sid: squat.sessionId })).kind).toBe("anonymous");
    expect((await actorForSession({ uid: owner!.user.id, sid: owner!.sessionId })).kind).toBe("user");
    expect(await db.auditEvent.count({ where: { targetId: row.id, action: "user.claimed_by_sso" } })).toBe(1);
  });
});
