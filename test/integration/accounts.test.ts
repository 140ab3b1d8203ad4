import { describe, expect, it } from "vitest";
import { actorForSession, resolveActor } from "../../lib/auth/resolve-actor";
import { db } from "../../lib/db/client";
import { setEnv } from "../../lib/env";
import { ZRegister } from "../../lib/schemas/user";
import { signInWithPassword } from "../../lib/services/sessions/sign-in";
import { createToken } from "../../lib/services/tokens/create-token";
import { completeSetup, createSetupLink } from "../../lib/services/setup/setup-link";
import { registerUser } from "../../lib/services/users/register-user";
import { updateUser } from "../../lib/services/users/update-user";
import { makeUser, uniqueEmail } from "../support/factories";

let nextIp = 1;
/** Each test registers from its own address, so the per-address limit only counts what the test does. */
const anon = () => ({ actor: { kind: "anonymous" as const }, ip: `198.51.100.${nextIp++}` });

describe("registration", () => {
  it("makes a clinician at once, stores only a hash, and audits it", async () => {
    const email = uniqueEmail();
    const ctx = anon();
    await registerUser(ctx, ZRegister.parse({ email: email.toUpperCase(), name: "Ada", password: "long enough pw" }));
    const user = await db.user.findUniqueOrThrow({ where: { email }, omit: { passwordHash: false } });
    expect(user.role).toBe("CLINICIAN");
    expect(user.requestedRole).toBeNull();
    expect(user.emailVerifiedAt).toBeNull();
    expect(user.passwordHash).toMatch(/^scrypt\$/);
    expect(user.passwordHash).not.toContain("long enough pw");
    const audit = await db.auditEvent.findFirst({ where: { targetId: user.id, action: "user.register" } });
    expect(audit?.ip).toBe(ctx.ip);
  });

  it("leaves a researcher as clinician until an admin confirms", async () => {
    const email = uniqueEmail();
    await registerUser(anon(), ZRegister.parse({ email, name: "R", password: "long enough pw", role: "RESEARCHER" }));
    const user = await db.user.findUniqueOrThrow({ where: { email } });
    expect(user).toMatchObject({ role: "CLINICIAN", requestedRole: "RESEARCHER" });
    const admin = await makeUser("ADMIN");
    const confirmed = await updateUser(admin.ctx, user.id, { requestedRole: "approve" });
    expect(confirmed).toMatchObject({ role: "RESEARCHER", requestedRole: null });
    expect(await db.auditEvent.count({ where: { targetId: user.id, action: "user.role_request_approve", actorId: admin.user.id } })).toBe(1);
  });

  it("answers the same for a taken email and changes nothing about the existing account", async () => {
    const email = uniqueEmail();
    const first = await registerUser(anon(), ZRegister.parse({ email, name: "A", password: "first password" }));
    const before = await db.user.findUniqueOrThrow({ where: { email }, omit: { passwordHash: false } });
    const second = await registerUser(anon(), ZRegister.parse({ email, name: "B", password: "second password" }));
    expect(second).toEqual(first);
    const after = await db.user.findUniqueOrThrow({ where: { email }, omit: { passwordHash: false } });
    expect(after).toEqual(before);
    expect(await db.auditEvent.count({ where: { targetId: before.id, action: "user.register_existing_email" } })).toBe(1);
  });

  it("the same email registered twice at the same moment: one account, the same answer to both", async () => {
    const email = uniqueEmail("race");
    const answers = await Promise.all([0, 1, 2].map((i) => registerUser(anon(), ZRegister.parse({ email, name: `R${i}`, password: "long enough pw" }))));
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(await db.user.count({ where: { email } })).toBe(1);
  });

  it("limits registrations per address", async () => {
    setEnv({ REGISTER_MAX_PER_IP_PER_HOUR: "3" });
    try {
      const ctx = anon();
      for (let i = 0; i < 3; i++) await registerUser(ctx, ZRegister.parse({ email: uniqueEmail(), name: "x", password: "long enough pw" }));
      const email = uniqueEmail();
      const err = await registerUser(ctx, ZRegister.parse({ email, name: "x", password: "long enough pw" })).catch((e) => e);
      expect(err.status).toBe(429);
      expect(Number(err.headers["Retry-After"])).toBeGreaterThan(0);
      expect(await db.user.count({ where: { email } })).toBe(0);
      // Someone else is not held up by it.
      await registerUser(anon(), ZRegister.parse({ email, name: "x", password: "long enough pw" }));
      expect(await db.user.count({ where: { email } })).toBe(1);
    } finally {
      setEnv({ REGISTER_MAX_PER_IP_PER_HOUR: "10" });
    }
  });

  it("rejects self-registration as admin at the schema", () => {
    const r = ZRegister.safeParse({ email: uniqueEmail(), name: "x", password: "long enough pw", role: "ADMIN" });
    expect(r.success).toBe(false);
  });
});

describe("admin changes to users", () => {
  it("disabling a user ends their sessions and tokens, and re-enabling does not bring them back", async () => {
    const admin = await makeUser("ADMIN");
    const victim = await makeUser("RESEARCHER", { password: "victim password" });
    const { sessionId } = await signInWithPassword(victim.user.email, "victim password", "192.0.2.5");
    const token = await createToken(victim.ctx, { name: "leaked", scopes: ["read"] });
    const claims = { uid: victim.user.id, sid: sessionId };
    const bearer = new Headers({ authorization: `Bearer ${token.secret}` });
    expect((await actorForSession(claims)).kind).toBe("user");
    await updateUser(admin.ctx, victim.user.id, { disabled: true });
    expect((await actorForSession(claims)).kind).toBe("anonymous");
    await updateUser(admin.ctx, victim.user.id, { disabled: false });
    expect((await actorForSession(claims)).kind).toBe("anonymous");
    await expect(resolveActor(bearer)).rejects.toThrow(/revoked/);
  });

  it("a non-admin cannot change roles", async () => {
    const researcher = await makeUser("RESEARCHER");
    const other = await makeUser("CLINICIAN");
    await expect(updateUser(researcher.ctx, other.user.id, { role: "ADMIN" })).rejects.toThrow(/not allowed/);
    expect((await db.user.findUniqueOrThrow({ where: { id: other.user.id } })).role).toBe("CLINICIAN");
  });

  it("an admin cannot disable themselves", async () => {
    const admin = await makeUser("ADMIN");
    await expect(updateUser(admin.ctx, admin.user.id, { disabled: true })).rejects.toThrow(/yourself/);
  });
});

describe("first-admin setup link", () => {
  it("works once, and creates exactly one admin, whose email counts as verified", async () => {
    // Other files' databases are separate, so this database starts without admins.
    await db.user.updateMany({ where: { role: "ADMIN" }, data: { role: "RESEARCHER" } });
    const secret = await createSetupLink();
    expect(secret).toMatch(/^setup_/);
    const input = { token: secret!, email: uniqueEmail("first"), name: "First", password: "long enough pw" };
    const ctx = anon();
    const results = await Promise.allSettled([completeSetup(ctx, input), completeSetup(ctx, { ...input, email: uniqueEmail("second") })]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await db.user.count({ where: { role: "ADMIN" } })).toBe(1);
    expect((await db.user.findFirstOrThrow({ where: { role: "ADMIN" } })).emailVerifiedAt).not.toBeNull();
    expect(await createSetupLink()).toBeNull();
    const again = await completeSetup(ctx, input).catch((e) => e);
    expect(again.status).toBe(410);
  });
});

describe("rate-limit housekeeping", () => {
  it("drops records no window counts any more, and keeps sign-in successes that make an address known", async () => {
    const { pruneRateLimits } = await import("../../lib/services/limits/prune-limits");
    const email = uniqueEmail("prune");
    const day = 86_400_000;
    const ago = (ms: number) => new Date(Date.now() - ms);
    await db.rateLimitHit.createMany({ data: [{ bucket: "register", key: "p1", createdAt: ago(2 * day) }, { bucket: "register", key: "p2", createdAt: ago(60_000) }] });
    await db.loginAttempt.createMany({
      data: [
        { email, ip: "old-fail", success: false, createdAt: ago(2 * day) },
        { email, ip: "new-fail", success: false, createdAt: ago(60_000) },
        { email, ip: "known", success: true, createdAt: ago(30 * day) },
        { email, ip: "forgotten", success: true, createdAt: ago(120 * day) },
      ],
    });
    await pruneRateLimits();
    expect((await db.rateLimitHit.findMany({ where: { key: { in: ["p1", "p2"] } } })).map((h) => h.key)).toEqual(["p2"]);
    expect((await db.loginAttempt.findMany({ where: { email }, orderBy: { ip: "asc" } })).map((a) => a.ip)).toEqual(["known", "new-fail"]);
  });
});
