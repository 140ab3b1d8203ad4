// The outbox against a real SMTP server (smtp-server) and real PostgreSQL: each mail goes out once, an SMTP
// outage or a sender's crash loses nothing, retries back off and end, and the message a mail client reads has the
// right recipient, subject and links on the server's public URL.
import { execFile } from "node:child_process";
import { createServer } from "node:net";
import { promisify } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db, pool } from "../../lib/db/client";
import { env, setEnv } from "../../lib/env";
import { enqueueMail } from "../../lib/services/mail/enqueue-mail";
import { deliverQueuedMail, MAX_ATTEMPTS } from "../../lib/services/mail/deliver-queued-mail";
import { makeUser } from "../support/factories";
import { startMailCatcher } from "../support/mail-catcher";

const PUBLIC = "https://hounsfield.example.org";
type Catcher = Awaited<ReturnType<typeof startMailCatcher>>;
let smtp: Catcher;

const useSmtp = (port: number, more: Record<string, string> = {}) =>
  setEnv({ SMTP_HOST: "127.0.0.1", SMTP_PORT: String(port), SMTP_SECURE: "none", SMTP_FROM: "Hounsfield <noreply@example.org>", SMTP_USER: "", SMTP_PASSWORD: "", ...more });

async function closedPort() {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function queueRunMail(to?: string) {
  const { user } = await makeUser("RESEARCHER", { email: to });
  await db.$transaction((tx) => enqueueMail(tx, { userId: user.id, to: user.email, mail: { template: "run-failed", params: { runId: "run123", runName: "lung pretrain", status: "FAILED" } } }));
  return { user, row: await db.outboxMail.findFirstOrThrow({ where: { userId: user.id } }) };
}

const row = (id: string) => db.outboxMail.findUniqueOrThrow({ where: { id } });
/** As if the retry were due now (instead of waiting out the backoff). */
const makeDue = (id: string) => pool().query(`UPDATE "OutboxMail" SET "nextAttemptAt" = (now() AT TIME ZONE 'UTC') - interval '1 second' WHERE id = $1`, [id]);

beforeAll(async () => {
  smtp = await startMailCatcher();
  setEnv({ NEXTAUTH_URL: PUBLIC });
});
beforeEach(() => useSmtp(smtp.port));
afterAll(async () => {
  await smtp.stop();
  setEnv({ SMTP_HOST: "", NEXTAUTH_URL: "" });
});

describe("mail delivery", () => {
  it("sends a queued mail once, as plain text and HTML, with its links on the public URL", async () => {
    const { user, row: queued } = await queueRunMail();
    expect(await deliverQueuedMail()).toMatchObject({ sent: 1, retrying: 0, failed: 0 });
    const [mail, ...more] = smtp.to(user.email);
    expect(more).toEqual([]);
    expect(mail.subject).toBe("Run lung pretrain failed (Hounsfield)");
    expect(mail.from).toContain("noreply@example.org");
    expect(mail.text).toContain(`${PUBLIC}/runs/run123`);
    expect(mail.html).toContain(`<a href="${PUBLIC}/runs/run123">`);
    expect(mail.messageId).toBe(`<${queued.id}@hounsfield.example.org>`);
    expect(await row(queued.id)).toMatchObject({ status: "SENT", attempts: 1, lockedUntil: null, sentAt: expect.any(Date) });
    await deliverQueuedMail();
    expect(smtp.to(user.email)).toHaveLength(1);
  });

  it("is written with the event or not at all: a transaction that fails leaves no mail", async () => {
    const { user } = await makeUser("RESEARCHER");
    await expect(db.$transaction(async (tx) => {
      await enqueueMail(tx, { userId: user.id, to: user.email, mail: { template: "sign-in-link", params: {} } });
      throw new Error("the event failed");
    })).rejects.toThrow("the event failed");
    expect(await db.outboxMail.count({ where: { userId: user.id } })).toBe(0);
  });

  it("loses nothing in an SMTP outage: the mail backs off, waits, and goes out once when the server is back", async () => {
    useSmtp(await closedPort());
    const { user, row: queued } = await queueRunMail();
    expect(await deliverQueuedMail()).toMatchObject({ sent: 0, retrying: 1 });
    const waiting = await row(queued.id);
    expect(waiting).toMatchObject({ status: "PENDING", attempts: 1, lockedUntil: null, lastError: expect.stringMatching(/ECONNREFUSED|connect/i) });
    const delay = (waiting.nextAttemptAt.getTime() - Date.now()) / 1000;
    expect(delay).toBeGreaterThan(20);
    expect(delay).toBeLessThanOrEqual(31);
    // Not due yet: a second call leaves it alone.
    expect(await deliverQueuedMail()).toMatchObject({ sent: 0, retrying: 0 });
    const back = await startMailCatcher();
    try {
      useSmtp(back.port);
      await makeDue(queued.id);
      expect(await deliverQueuedMail()).toMatchObject({ sent: 1 });
      expect(back.to(user.email)).toHaveLength(1);
      expect(await row(queued.id)).toMatchObject({ status: "SENT", attempts: 2 });
    } finally {
      await back.stop();
    }
  });

  it("ends at once on a permanent refusal, and after MAX_ATTEMPTS growing waits on a temporary one", async () => {
    const refused = await queueRunMail();
    const busy = await queueRunMail();
    smtp.setRefusal((to) => (to === refused.user.email ? 550 : to === busy.user.email ? 451 : null));
    try {
      expect(await deliverQueuedMail()).toMatchObject({ failed: 1, retrying: 1 });
      expect(await row(refused.row.id)).toMatchObject({ status: "FAILED", attempts: 1, lastError: expect.stringMatching(/550/) });
      const delays: number[] = [];
      for (let i = 2; i <= MAX_ATTEMPTS; i++) {
        const r = await row(busy.row.id);
        delays.push(Math.round((r.nextAttemptAt.getTime() - Date.now()) / 1000));
        await makeDue(busy.row.id);
        await deliverQueuedMail();
      }
      expect(delays.slice(0, 4).map((d) => Math.round(d / 30))).toEqual([1, 2, 4, 8]);
      expect(await row(busy.row.id)).toMatchObject({ status: "FAILED", attempts: MAX_ATTEMPTS, lastError: expect.stringMatching(/451/) });
      await makeDue(busy.row.id);
      await deliverQueuedMail();
      expect(smtp.to(busy.user.email)).toEqual([]);
      expect(smtp.to(refused.user.email)).toEqual([]);
    } finally {
      smtp.setRefusal(undefined);
    }
  });

  it("takes over the mail of a sender that died holding it, once its hold lapses", async () => {
    const { user, row: queued } = await queueRunMail();
    await pool().query(`UPDATE "OutboxMail" SET "lockedUntil" = (now() AT TIME ZONE 'UTC') + interval '1 hour' WHERE id = $1`, [queued.id]);
    expect(await deliverQueuedMail()).toMatchObject({ sent: 0 });
    await pool().query(`UPDATE "OutboxMail" SET "lockedUntil" = (now() AT TIME ZONE 'UTC') - interval '1 second' WHERE id = $1`, [queued.id]);
    expect(await deliverQueuedMail()).toMatchObject({ sent: 1 });
    expect(smtp.to(user.email)).toHaveLength(1);
  });

  it("sends each mail once when two processes deliver at the same time", async () => {
    const slow = await startMailCatcher({ delayMs: 150 });
    try {
      useSmtp(slow.port);
      const users = await Promise.all(Array.from({ length: 30 }, () => queueRunMail()));
      const child = promisify(execFile)(process.execPath, ["--import", "tsx", "--import", "./cli/hooks/register.mjs", "test/support/deliver-mail.mts"], {
        env: { ...process.env, DATABASE_URL: env().DATABASE_URL, SMTP_HOST: "127.0.0.1", SMTP_PORT: String(slow.port), SMTP_SECURE: "none", NEXTAUTH_URL: PUBLIC },
      }).then((c) => JSON.parse(c.stdout));
      // The other process has claimed its batch once its first mail arrives; this one then sends alongside it.
      await expect.poll(() => slow.mails.length, { timeout: 20_000, interval: 20 }).toBeGreaterThan(0);
      const mine = await deliverQueuedMail();
      const theirs = await child;
      expect(mine.sent).toBeGreaterThan(0);
      expect(theirs.sent).toBeGreaterThan(0);
      expect(mine.sent + theirs.sent).toBe(30);
      for (const { user } of users) expect(slow.to(user.email)).toHaveLength(1);
    } finally {
      await slow.stop();
    }
  });

  it("drops a mail that could not be sent before it expired, and never sends a template that isn't ours or to a list of addresses", async () => {
    const late = await queueRunMail();
    await pool().query(`UPDATE "OutboxMail" SET "expiresAt" = (now() AT TIME ZONE 'UTC') - interval '1 second' WHERE id = $1`, [late.row.id]);
    const { user } = await makeUser("CLINICIAN");
    const odd = await db.outboxMail.create({ data: { userId: user.id, to: user.email, template: "phishing", params: { text: "click here" }, expiresAt: new Date(Date.now() + 60_000) } });
    const list = await db.outboxMail.create({ data: { userId: user.id, to: `${user.email}, someone@evil.example`, template: "run-failed", params: { runId: "r", runName: "x", status: "FAILED" }, expiresAt: new Date(Date.now() + 60_000) } });
    expect(await deliverQueuedMail()).toMatchObject({ sent: 0, cancelled: 1, failed: 2 });
    expect(await row(late.row.id)).toMatchObject({ status: "CANCELLED" });
    expect(await row(odd.id)).toMatchObject({ status: "FAILED", lastError: expect.stringMatching(/not one of our mails/) });
    expect(await row(list.id)).toMatchObject({ status: "FAILED", lastError: "not a single email address" });
    expect(smtp.to("someone@evil.example")).toEqual([]);
    expect(smtp.to(late.user.email)).toEqual([]);
    expect(smtp.to(user.email)).toEqual([]);
  });

  it("with SMTP_SECURE=starttls never sends in the clear to a server that can't encrypt", async () => {
    const plain = await startMailCatcher({ noStartTls: true });
    try {
      useSmtp(plain.port, { SMTP_SECURE: "starttls" });
      const { user, row: queued } = await queueRunMail();
      expect(await deliverQueuedMail()).toMatchObject({ sent: 0, retrying: 1 });
      expect(plain.to(user.email)).toEqual([]);
      expect((await row(queued.id)).lastError).toMatch(/STARTTLS/i);
    } finally {
      await plain.stop();
    }
  });

  it("logs in with SMTP_USER and SMTP_PASSWORD; a wrong password is retried, not the end of the mail", async () => {
    const relay = await startMailCatcher({ login: { user: "hounsfield", password: "relay secret" } });
    try {
      useSmtp(relay.port, { SMTP_USER: "hounsfield", SMTP_PASSWORD: "wrong" });
      const { user, row: queued } = await queueRunMail();
      expect(await deliverQueuedMail()).toMatchObject({ sent: 0, retrying: 1 });
      useSmtp(relay.port, { SMTP_USER: "hounsfield", SMTP_PASSWORD: "relay secret" });
      await makeDue(queued.id);
      expect(await deliverQueuedMail()).toMatchObject({ sent: 1 });
      expect(relay.to(user.email)).toHaveLength(1);
    } finally {
      await relay.stop();
    }
  });

  it("queues nothing while no SMTP server is configured", async () => {
    setEnv({ SMTP_HOST: "" });
    const { user } = await makeUser("RESEARCHER");
    expect(await db.$transaction((tx) => enqueueMail(tx, { userId: user.id, to: user.email, mail: { template: "sign-in-link", params: {} } }))).toBe(false);
    expect(await db.outboxMail.count({ where: { userId: user.id } })).toBe(0);
    expect(await deliverQueuedMail()).toEqual({ sent: 0, retrying: 0, failed: 0, cancelled: 0 });
  });
});
