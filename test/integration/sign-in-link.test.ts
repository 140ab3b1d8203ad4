// The ways back in for a locked-out owner: a one-time sign-in link mailed to the account's address (read from a
// real SMTP server), and an administrator's unlock.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { actorForSession } from "../../lib/auth/resolve-actor";
import { db, pool } from "../../lib/db/client";
import { setEnv } from "../../lib/env";
import { deliverQueuedMail } from "../../lib/services/mail/deliver-queued-mail";
import { signInWithPassword } from "../../lib/services/sessions/sign-in";
import { requestSignInLink, signInWithLink } from "../../lib/services/sessions/sign-in-link";
import { unlockUser } from "../../lib/services/users/unlock-user";
import { updateUser } from "../../lib/services/users/update-user";
import { makeUser, uniqueEmail } from "../support/factories";
import { linkIn, startMailCatcher, tokenOf } from "../support/mail-catcher";

const PW = "correct horse battery";
const PUBLIC = "https://hounsfield.example.org";
let smtp: Awaited<ReturnType<typeof startMailCatcher>>;
let nextIp = 1;
const fresh = () => `198.51.100.${nextIp++}`;
const anon = (ip = fresh()) => ({ actor: { kind: "anonymous" as const }, ip });

async function signInLinkFor(email: string) {
  await deliverQueuedMail();
  const mail = smtp.to(email).at(-1);
  if (!mail) throw new Error(`no mail to ${email}`);
  expect(mail.subject).toBe("Your Hounsfield sign-in link");
  return tokenOf(linkIn(mail, `${PUBLIC}/login/link#token=`));
}

/** Failed guesses at an account from `addresses` different client addresses. */
async function attack(email: string, addresses: number) {
  for (let i = 0; i < addresses; i++) await expect(signInWithPassword(email, "wrong guess!", `203.0.113.${100 + i}`)).rejects.toThrow();
}

beforeAll(async () => {
  smtp = await startMailCatcher();
  setEnv({ NEXTAUTH_URL: PUBLIC, LOGIN_MAX_FAILURES_PER_ACCOUNT_ANY_ADDRESS: "6" });
});
beforeEach(() => setEnv({ SMTP_HOST: "127.0.0.1", SMTP_PORT: String(smtp.port), SMTP_SECURE: "none" }));
afterAll(async () => {
  await smtp.stop();
  setEnv({ SMTP_HOST: "", NEXTAUTH_URL: "", LOGIN_MAX_FAILURES_PER_ACCOUNT_ANY_ADDRESS: "50" });
});

describe("a sign-in link by email", () => {
  it("lets a locked-out owner in from a new address, once, and makes that address known to the account", async () => {
    const { user } = await makeUser("RESEARCHER", { password: PW });
    await attack(user.email, 7);
    const newAddress = fresh();
    const locked = await signInWithPassword(user.email, PW, newAddress).catch((e) => e);
    expect(locked.status).toBe(429);
    expect(locked.message).toMatch(/password-guessing attack[\s\S]*sign in with a link sent by email/);

    const answer = await requestSignInLink(anon(newAddress), user.email);
    const token = await signInLinkFor(user.email);
    const signedIn = await signInWithLink(token, newAddress, "test-browser/1");
    expect(signedIn.user.id).toBe(user.id);
    expect(await actorForSession({ uid: user.id, sid: signedIn.sessionId })).toMatchObject({ kind: "user", id: user.id });
    expect(await db.userSession.findUniqueOrThrow({ where: { id: signedIn.sessionId } })).toMatchObject({ method: "link", ip: newAddress });
    expect(await db.auditEvent.count({ where: { action: "session.sign_in", targetId: signedIn.sessionId, actorId: user.id } })).toBe(1);
    await expect(signInWithLink(token, newAddress)).rejects.toThrow(/not valid any more/);
    // The address is the owner's now: the password works from it despite the attack.
    expect((await signInWithPassword(user.email, PW, newAddress)).user.id).toBe(user.id);
    expect(answer.message).toMatch(/If an account uses this address/);
  });

  it("answers the same for an unknown or disabled account, and mails neither", async () => {
    const { user } = await makeUser("CLINICIAN", { password: PW, disabled: true });
    const unknown = uniqueEmail("nobody");
    const a = await requestSignInLink(anon(), unknown);
    const b = await requestSignInLink(anon(), user.email);
    expect(a).toEqual(b);
    await deliverQueuedMail();
    expect(smtp.to(unknown)).toEqual([]);
    expect(smtp.to(user.email)).toEqual([]);
    expect(await db.outboxMail.count({ where: { to: { in: [unknown, user.email] } } })).toBe(0);
    // Administrators can see the refused asks in the audit log.
    expect(await db.auditEvent.count({ where: { action: "session.sign_in_link_refused", OR: [{ targetId: user.id }, { details: { equals: { email: unknown } } }] } })).toBe(2);
  });

  it("never signs in an account disabled after the link was asked for, or with an expired link", async () => {
    const admin = await makeUser("ADMIN");
    const late = await makeUser("CLINICIAN", { password: PW });
    await requestSignInLink(anon(), late.user.email);
    await updateUser(admin.ctx, late.user.id, { disabled: true });
    await deliverQueuedMail();
    expect(smtp.to(late.user.email)).toEqual([]);
    expect(await db.outboxMail.findFirstOrThrow({ where: { userId: late.user.id } })).toMatchObject({ status: "CANCELLED", lastError: "the account is disabled" });

    const mailed = await makeUser("CLINICIAN", { password: PW });
    await requestSignInLink(anon(), mailed.user.email);
    const token = await signInLinkFor(mailed.user.email);
    await updateUser(admin.ctx, mailed.user.id, { disabled: true });
    await expect(signInWithLink(token, fresh())).rejects.toThrow(/disabled/);

    const slow = await makeUser("CLINICIAN", { password: PW });
    await requestSignInLink(anon(), slow.user.email);
    const expired = await signInLinkFor(slow.user.email);
    const link = await db.emailToken.findFirstOrThrow({ where: { userId: slow.user.id } });
    expect(Math.abs(link.expiresAt.getTime() - link.createdAt.getTime() - 15 * 60_000)).toBeLessThan(1000);
    await pool().query(`UPDATE "EmailToken" SET "expiresAt" = (now() AT TIME ZONE 'UTC') - interval '1 second' WHERE id = $1`, [link.id]);
    await expect(signInWithLink(expired, fresh())).rejects.toThrow(/not valid any more/);
    await expect(signInWithLink("signin_made-up-secret-000000000", fresh())).rejects.toThrow(/not valid any more/);
  });

  it("is rate limited per email address (known or not) and per client address", async () => {
    setEnv({ EMAIL_LINKS_MAX_PER_ADDRESS_PER_HOUR: "2", EMAIL_LINKS_MAX_PER_IP_PER_HOUR: "3" });
    try {
      const { user } = await makeUser("CLINICIAN", { password: PW });
      for (const email of [user.email, uniqueEmail("nobody")]) {
        await requestSignInLink(anon(), email);
        await requestSignInLink(anon(), email);
        await expect(requestSignInLink(anon(), email)).rejects.toMatchObject({ status: 429, message: expect.stringMatching(/this email address/) });
      }
      const ip = fresh();
      for (let i = 0; i < 3; i++) await requestSignInLink(anon(ip), uniqueEmail("spray"));
      await expect(requestSignInLink(anon(ip), uniqueEmail("spray"))).rejects.toMatchObject({ status: 429, message: expect.stringMatching(/from your address/) });
    } finally {
      setEnv({ EMAIL_LINKS_MAX_PER_ADDRESS_PER_HOUR: "5", EMAIL_LINKS_MAX_PER_IP_PER_HOUR: "20" });
    }
  });

  it("is not offered without SMTP: asking says plainly why", async () => {
    setEnv({ SMTP_HOST: "" });
    const { user } = await makeUser("CLINICIAN", { password: PW });
    await expect(requestSignInLink(anon(), user.email)).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/sends no email/) });
    await attack(user.email, 7);
    const locked = await signInWithPassword(user.email, PW, fresh()).catch((e) => e);
    expect(locked.message).not.toMatch(/link/);
    expect(locked.message).toMatch(/An administrator can unlock the account/);
  });
});

describe("an administrator's unlock", () => {
  it("forgets the account's failed sign-ins from every address, audited; the owner gets in again", async () => {
    setEnv({ SMTP_HOST: "" }); // always available, mail or not
    const admin = await makeUser("ADMIN");
    const { user } = await makeUser("RESEARCHER", { password: PW });
    const home = fresh();
    for (let i = 0; i < 6; i++) await expect(signInWithPassword(user.email, "typo typo typo", home)).rejects.toThrow();
    await attack(user.email, 7);
    await expect(signInWithPassword(user.email, PW, home)).rejects.toMatchObject({ status: 429 });
    await expect(signInWithPassword(user.email, PW, fresh())).rejects.toMatchObject({ status: 429 });
    const failures = await db.loginAttempt.count({ where: { email: user.email, success: false } });
    expect(failures).toBeGreaterThan(13); // the refused tries count too
    expect(await unlockUser(admin.ctx, user.id)).toEqual({ id: user.id, cleared: failures });
    expect((await signInWithPassword(user.email, PW, home)).user.id).toBe(user.id);
    expect((await signInWithPassword(user.email, PW, fresh())).user.id).toBe(user.id);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "user.unlock", targetId: user.id } });
    expect(audit).toMatchObject({ actorId: admin.user.id, details: { email: user.email, cleared: failures } });
  });

  it("is an admin's alone: not the user's, not another role's, not an admin token without the admin scope", async () => {
    const admin = await makeUser("ADMIN");
    const researcher = await makeUser("RESEARCHER", { password: PW });
    const victim = await makeUser("CLINICIAN", { password: PW });
    await attack(victim.user.email, 2);
    await expect(unlockUser(researcher.ctx, victim.user.id)).rejects.toMatchObject({ action: "user:manage" });
    await expect(unlockUser(victim.ctx, victim.user.id)).rejects.toMatchObject({ action: "user:manage" });
    await expect(unlockUser({ actor: { ...admin.actor, token: { id: "t", scopes: ["read", "tokens"] } } }, victim.user.id)).rejects.toMatchObject({ action: "user:manage" });
    expect(await db.loginAttempt.count({ where: { email: victim.user.email, success: false } })).toBe(2);
    await expect(unlockUser(admin.ctx, "no-such-user")).rejects.toMatchObject({ status: 404 });
  });
});
