import { describe, expect, it } from "vitest";
import { db } from "../../lib/db/client";
import { setEnv } from "../../lib/env";
import { signInWithPassword } from "../../lib/services/sessions/sign-in";
import { makeUser, uniqueEmail } from "../support/factories";

const PW = "correct horse battery";

describe("password sign-in", () => {
  it("accepts the right password, records the login and audits it", async () => {
    const { user } = await makeUser("CLINICIAN", { password: PW });
    const signedIn = await signInWithPassword(user.email.toUpperCase(), PW, "192.0.2.10");
    expect(signedIn.id).toBe(user.id);
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).lastLoginAt).not.toBeNull();
    expect(await db.auditEvent.count({ where: { targetId: user.id, action: "session.sign_in" } })).toBe(1);
  });

  it("gives the same answer for a wrong password and an unknown account", async () => {
    const { user } = await makeUser("CLINICIAN", { password: PW });
    await expect(signInWithPassword(user.email, "wrong password!", "192.0.2.11")).rejects.toThrow("Wrong email or password.");
    await expect(signInWithPassword(uniqueEmail(), PW, "192.0.2.11")).rejects.toThrow("Wrong email or password.");
  });

  it("locks an account after too many failures, even with the right password, from any IP", async () => {
    const { user } = await makeUser("CLINICIAN", { password: PW });
    for (let i = 0; i < 5; i++) await expect(signInWithPassword(user.email, "nope nope nope", `192.0.2.${20 + i}`)).rejects.toThrow(/Wrong/);
    const err = await signInWithPassword(user.email, PW, "192.0.2.99").catch((e) => e);
    expect(err.status).toBe(429);
    expect(err.message).toMatch(/Too many failed sign-in attempts\. Try again in \d+ minutes?\./);
    expect(Number(err.headers["Retry-After"])).toBeGreaterThan(0);
  });

  it("a burst of parallel guesses gets no more tries than the limit", async () => {
    const { user } = await makeUser("CLINICIAN", { password: PW });
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => signInWithPassword(user.email, `guess number ${i}`, `192.0.2.${100 + i}`)));
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
      expect((await signInWithPassword(user.email, PW, "192.0.2.201")).id).toBe(user.id);
    } finally {
      setEnv({ LOGIN_MAX_FAILURES_PER_IP: "30" });
    }
  });

  it("refuses a disabled account with its own message", async () => {
    const { user } = await makeUser("RESEARCHER", { password: PW, disabled: true });
    await expect(signInWithPassword(user.email, PW, "192.0.2.50")).rejects.toThrow(/disabled/);
  });
});
