// Address confirmation with a real SMTP server: a self-registered account gets a link, the link (read from the
// real message) confirms the address once, only its hash is ever stored, and anyone unconfirmed can ask again.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { hashSecret } from "../../lib/auth/secret-token";
import { db, pool } from "../../lib/db/client";
import { setEnv } from "../../lib/env";
import { ZRegister } from "../../lib/schemas/user";
import { deliverQueuedMail } from "../../lib/services/mail/deliver-queued-mail";
import { confirmEmail, requestEmailConfirmation } from "../../lib/services/users/confirm-email";
import { registerUser } from "../../lib/services/users/register-user";
import { updateUser } from "../../lib/services/users/update-user";
import { makeUser, uniqueEmail } from "../support/factories";
import { linkIn, startMailCatcher, tokenOf } from "../support/mail-catcher";

const PUBLIC = "https://hounsfield.example.org";
let smtp: Awaited<ReturnType<typeof startMailCatcher>>;
let nextIp = 1;
const anon = () => ({ actor: { kind: "anonymous" as const }, ip: `198.51.100.${nextIp++}` });
const smtpOn = () => setEnv({ SMTP_HOST: "127.0.0.1", SMTP_PORT: String(smtp.port), SMTP_SECURE: "none" });

async function register(email = uniqueEmail("self")) {
  const answer = await registerUser(anon(), ZRegister.parse({ email, name: "Self Registered", password: "long enough pw" }));
  return { answer, user: await db.user.findUniqueOrThrow({ where: { email } }) };
}

/** The newest mail to an address, once delivered, and the secret in its link. */
async function confirmationFor(email: string) {
  await deliverQueuedMail();
  const mail = smtp.to(email).at(-1);
  if (!mail) throw new Error(`no mail to ${email}`);
  const link = linkIn(mail, `${PUBLIC}/confirm-email#token=`);
  return { mail, link, token: tokenOf(link) };
}

beforeAll(async () => {
  smtp = await startMailCatcher();
  setEnv({ NEXTAUTH_URL: PUBLIC });
});
beforeEach(smtpOn);
afterAll(async () => {
  await smtp.stop();
  setEnv({ SMTP_HOST: "", NEXTAUTH_URL: "" });
});

describe("address confirmation", () => {
  it("mails a self-registered account a link that confirms its address once; only the link's hash is stored", async () => {
    const { answer, user } = await register();
    expect(answer.message).toMatch(/link to confirm the address is on its way/);
    expect(user).toMatchObject({ emailProof: null, emailVerifiedAt: null });
    const { mail, token } = await confirmationFor(user.email);
    expect(mail.to).toEqual([user.email]);
    expect(mail.subject).toBe("Confirm your email address for Hounsfield");
    expect(mail.text).not.toContain("Self Registered"); // nothing the registrant typed about themselves
    // The secret is in the mail only: not in the outbox, and the token table holds its SHA-256.
    const outbox = await db.outboxMail.findFirstOrThrow({ where: { userId: user.id } });
    expect(JSON.stringify(outbox)).not.toContain(token);
    const stored = await db.emailToken.findFirstOrThrow({ where: { userId: user.id }, omit: { hash: false } });
    expect(stored).toMatchObject({ purpose: "confirm", email: user.email, hash: hashSecret(token), usedAt: null });
    const { rows } = await pool().query(`SELECT count(*)::int AS n FROM "AuditEvent" WHERE details::text LIKE '%' || $1 || '%'`, [token]);
    expect(rows[0].n).toBe(0);

    expect(await confirmEmail(anon(), token)).toEqual({ email: user.email, confirmed: true });
    expect(await db.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({ emailProof: "LINK", emailVerifiedAt: expect.any(Date) });
    expect(await db.auditEvent.count({ where: { targetId: user.id, action: "user.email_confirmed" } })).toBe(1);
    await expect(confirmEmail(anon(), token)).rejects.toMatchObject({ status: 410, errors: [{ field: "token" }] });
  });

  it("refuses an expired link, a made-up one, and a link sent to an address the account no longer has", async () => {
    const { user } = await register();
    const { token } = await confirmationFor(user.email);
    await pool().query(`UPDATE "EmailToken" SET "expiresAt" = (now() AT TIME ZONE 'UTC') - interval '1 second' WHERE "userId" = $1`, [user.id]);
    await expect(confirmEmail(anon(), token)).rejects.toMatchObject({ status: 410 });
    await expect(confirmEmail(anon(), "confirm_not-a-real-link-at-all")).rejects.toMatchObject({ status: 410 });

    const moved = await register();
    const second = await confirmationFor(moved.user.email);
    await db.user.update({ where: { id: moved.user.id }, data: { email: uniqueEmail("moved") } });
    await expect(confirmEmail(anon(), second.token)).rejects.toMatchObject({ status: 410 });
    for (const id of [user.id, moved.user.id]) expect((await db.user.findUniqueOrThrow({ where: { id } })).emailProof).toBeNull();
  });

  it("lets an unconfirmed person ask again (rate limited); refuses the confirmed, and a disabled account's link", async () => {
    setEnv({ EMAIL_LINKS_MAX_PER_ADDRESS_PER_HOUR: "2" });
    try {
      // An admin entered this address: it keeps SSO from claiming the account but is not confirmed.
      const assigned = await makeUser("ADMIN", { emailProof: "ASSIGNED" });
      expect((await requestEmailConfirmation(assigned.ctx)).message).toContain(assigned.user.email);
      const { token } = await confirmationFor(assigned.user.email);
      await requestEmailConfirmation(assigned.ctx);
      await expect(requestEmailConfirmation(assigned.ctx)).rejects.toMatchObject({ status: 429 });
      await confirmEmail(anon(), token);
      expect((await db.user.findUniqueOrThrow({ where: { id: assigned.user.id } })).emailProof).toBe("LINK");

      const sso = await makeUser("CLINICIAN", { emailProof: "SSO" });
      await expect(requestEmailConfirmation(sso.ctx)).rejects.toMatchObject({ status: 409, message: "Your address is confirmed already" });

      const { user } = await register();
      const admin = await makeUser("ADMIN");
      const { token: disabledToken } = await confirmationFor(user.email);
      await updateUser(admin.ctx, user.id, { disabled: true });
      await expect(confirmEmail(anon(), disabledToken)).rejects.toMatchObject({ status: 410 });
    } finally {
      setEnv({ EMAIL_LINKS_MAX_PER_ADDRESS_PER_HOUR: "5" });
    }
  });

  it("without SMTP: registration queues nothing and asking for a link says plainly why not", async () => {
    setEnv({ SMTP_HOST: "" });
    const { answer, user } = await register();
    expect(answer.message).not.toMatch(/confirm/);
    expect(await db.outboxMail.count({ where: { userId: user.id } })).toBe(0);
    const self = { actor: { kind: "user" as const, id: user.id, email: user.email, role: user.role }, ip: null };
    await expect(requestEmailConfirmation(self)).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/sends no email/) });
  });

  it("a read-only token can't ask for a confirmation mail", async () => {
    const { user, actor } = await makeUser("CLINICIAN");
    await expect(requestEmailConfirmation({ actor: { ...actor, token: { id: "t", scopes: ["read"] } } })).rejects.toMatchObject({ action: "profile:write" });
    expect(await db.outboxMail.count({ where: { userId: user.id } })).toBe(0);
  });
});
