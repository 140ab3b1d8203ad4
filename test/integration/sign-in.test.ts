import { describe, expect, it } from "vitest";
import { actorForSession } from "../../lib/auth/resolve-actor";
import { db } from "../../lib/db/client";
import { setEnv } from "../../lib/env";
import { endSession, revokeSession, signOutEverywhere } from "../../lib/services/sessions/revoke-sessions";
import { signInWithPassword } from "../../lib/services/sessions/sign-in";
import { makeUser, uniqueEmail } from "../support/factories";

const PW = "correct horse battery";

describe("password sign-in", () => {
  it("accepts the right password, opens a session, records the login and audits it", async () => {
    const { user } = await makeUser("CLINICIAN", { password: PW });
    const signedIn = await signInWithPassword(user.email.toUpperCase(), PW, "192.0.2.10", "test-agent/1");
    expect(signedIn.user.id).toBe(user.id);
    expect(await db.userSession.findUniqueOrThrow({ where: { id: signedIn.sessionId } })).toMatchObject({ userId: user.id, ip: "192.0.2.10", userAgent: "test-agent/1", revokedAt: null });
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).lastLoginAt).not.toBeNull();
    expect(await db.auditEvent.count({ where: { targetId: signedIn.sessionId, action: "session.sign_in", actorId: user.id } })).toBe(1);
  });

  it("gives the same answer for a wrong password, an unknown account and an address the database can't store", async () => {
    const { user } = await makeUser("CLINICIAN", { password: PW });
    await expect(signInWithPassword(user.email, "wrong password!", "192.0.2.11")).rejects.toThrow("Wrong email or password.");
    await expect(signInWithPassword(uniqueEmail(), PW, "192.0.2.11")).rejects.toThrow("Wrong email or password.");
    await expect(signInWithPassword(`a\u0000${user.email}`, PW, "192.0.2.11")).rejects.toThrow("Wrong email or password.");
  });

  it("a stranger's failures lock out the stranger, not the owner", async () => {
    const { user } = await makeUser("ADMIN", { password: PW });
    for (let i = 0; i < 5; i++) await expect(signInWithPassword(user.email, "nope nope nope", "203.0.113.66")).rejects.toThrow(/Wrong/);
    const err = await signInWithPassword(user.email, PW, "203.0.113.66").catch((e) => e);
    expect(err.status).toBe(429);
    expect(err.message).toMatch(/Too many failed sign-in attempts for this account from your address\. Try again in \d+ minutes?\./);
    expect(Number(err.headers["Retry-After"])).toBeGreaterThan(0);
    // The owner, elsewhere, with the right password:
    expect((await signInWithPassword(user.email, PW, "192.0.2.77")).user.id).toBe(user.id);
  });

  it("guesses from many addresses lock the account only for addresses it never signed in from", async () => {
    setEnv({ LOGIN_MAX_FAILURES_PER_ACCOUNT_ANY_ADDRESS: "6" });
    try {
      const { user } = await makeUser("CLINICIAN", { password: PW });
      await signInWithPassword(user.email, PW, "192.0.2.150");
      for (let i = 0; i < 6; i++) await expect(signInWithPassword(user.email, "nope nope nope", `198.51.100.${i + 1}`)).rejects.toThrow(/Wrong/);
      await expect(signInWithPassword(user.email, PW, "198.51.100.99")).rejects.toMatchObject({ status: 429 });
      expect((await signInWithPassword(user.email, PW, "192.0.2.150")).user.id).toBe(user.id);
    } finally {
      setEnv({ LOGIN_MAX_FAILURES_PER_ACCOUNT_ANY_ADDRESS: "50" });
    }
  });

  it("a burst of parallel guesses from one address gets no more tries than the limit", async () => {
    const { user } = await makeUser("CLINICIAN", { password: PW });
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => signInWithPassword(user.email, `guess number ${i}`, "192.0.2.100")));
    const wrong = results.filter((r) => r.status === "rejected" && /Wrong/.test(String((r as PromiseRejectedResult).reason)));
    const limited = results.filter((r) => r.status === "rejected" && (r as PromiseRejectedResult).reason.status === 429);
    expect(wrong.length).toBeLessThanOrEqual(5);
    expect(wrong.length + limited.length).toBe(12);
  });

  it("limits one IP trying many accounts", async () => {
    setEnv({ LOGIN_MAX_FAILURES_PER_IP: "4" });
    try {
      for (let i = 0; i < 4; i++) await expect(signInWithPassword(uniqueEmail(), "whatever pw", "192.0.2.200")).rejects.toThrow(/Wrong/);
      const { user } = await makeUser("CLINICIAN", { password: PW });
      await expect(signInWithPassword(user.email, PW, "192.0.2.200")).rejects.toMatchObject({ status: 429 });
      expect((await signInWithPassword(user.email, PW, "192.0.2.201")).user.id).toBe(user.id);
    } finally {
      setEnv({ LOGIN_MAX_FAILURES_PER_IP: "30" });
    }
  });

  it("refuses a disabled account with its own message", async () => {
    const { user } = await makeUser("RESEARCHER", { password: PW, disabled: true });
    await expect(signInWithPassword(user.email, PW, "192.0.2.50")).rejects.toThrow(/disabled/);
  });
});

describe("sessions", () => {
  it("sign-out ends the session the cookie names; other sessions live on", async () => {
    const { user } = await makeUser("RESEARCHER", { password: PW });
    const a = await signInWithPassword(user.email, PW, "192.0.2.60");
    const b = await signInWithPassword(user.email, PW, "192.0.2.61");
    await endSession(a.sessionId, user.id);
    expect((await actorForSession({ uid: user.id, sid: a.sessionId })).kind).toBe("anonymous");
    expect(await actorForSession({ uid: user.id, sid: b.sessionId })).toMatchObject({ kind: "user", id: user.id, sessionId: b.sessionId });
  });

  it("a session id only works with the user it belongs to", async () => {
    const a = await makeUser("RESEARCHER", { password: PW });
    const b = await makeUser("ADMIN");
    const s = await signInWithPassword(a.user.email, PW, "192.0.2.62");
    expect((await actorForSession({ uid: b.user.id, sid: s.sessionId })).kind).toBe("anonymous");
  });

  it("one user can't revoke another's session; sign out everywhere ends all of one's own", async () => {
    const a = await makeUser("RESEARCHER", { password: PW });
    const b = await makeUser("RESEARCHER", { password: PW });
    const sa = await signInWithPassword(a.user.email, PW, "192.0.2.63");
    const sb1 = await signInWithPassword(b.user.email, PW, "192.0.2.64");
    const sb2 = await signInWithPassword(b.user.email, PW, "192.0.2.65");
    const actorB = await actorForSession({ uid: b.user.id, sid: sb1.sessionId });
    await expect(revokeSession({ actor: actorB }, sa.sessionId)).rejects.toMatchObject({ status: 404 });
    expect((await actorForSession({ uid: a.user.id, sid: sa.sessionId })).kind).toBe("user");
    expect(await signOutEverywhere({ actor: actorB })).toEqual({ revoked: 2 });
    for (const s of [sb1, sb2]) expect((await actorForSession({ uid: b.user.id, sid: s.sessionId })).kind).toBe("anonymous");
    expect((await actorForSession({ uid: a.user.id, sid: sa.sessionId })).kind).toBe("user");
  });
});
