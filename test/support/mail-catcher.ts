// A real SMTP server for tests (smtp-server), which keeps every message it accepts, parsed by mailparser as a mail
// client would read it. `dir`: also writes each raw message there (for tests in another process than the server).
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export type CaughtMail = { to: string[]; from: string; subject: string; text: string; html: string; messageId: string; raw: Buffer };

type Options = {
  dir?: string;
  /** Answer RCPT TO for this recipient with this code (e.g. 550: unknown mailbox, 451: try later). */
  refuse?: (recipient: string) => number | null;
  /** Advertise no STARTTLS (a server that can't encrypt). */
  noStartTls?: boolean;
  /** Require this login (over a plain connection, as a local relay may). */
  login?: { user: string; password: string };
  /** Take this long to accept each message (a slow mail server). */
  delayMs?: number;
};

export async function parseMail(raw: Buffer): Promise<CaughtMail> {
  const m = await simpleParser(raw);
  const to = (Array.isArray(m.to) ? m.to : m.to ? [m.to] : []).flatMap((a) => a.value.map((v) => v.address ?? ""));
  return { to, from: m.from?.text ?? "", subject: m.subject ?? "", text: m.text ?? "", html: typeof m.html === "string" ? m.html : "", messageId: m.messageId ?? "", raw };
}

/** The link in a mail's text that holds `part` (its start, or a path such as `/confirm-email#token=`). */
export function linkIn(mail: CaughtMail, part: string) {
  const found = mail.text.split(/\s+/).find((w) => /^https?:\/\//.test(w) && w.includes(part));
  if (!found) throw new Error(`no link with ${part} in:\n${mail.text}`);
  return found;
}

/** The secret of a one-time link (after #token=). */
export const tokenOf = (link: string) => decodeURIComponent(new URL(link).hash.replace(/^#token=/, ""));

export async function startMailCatcher(opts: Options = {}) {
  const mails: CaughtMail[] = [];
  let refuse = opts.refuse;
  if (opts.dir) mkdirSync(opts.dir, { recursive: true });
  const server = new SMTPServer({
    logger: false,
    authOptional: !opts.login,
    allowInsecureAuth: !!opts.login,
    disabledCommands: opts.noStartTls ? ["STARTTLS"] : [],
    onAuth(auth, _session, cb) {
      if (opts.login && auth.username === opts.login.user && auth.password === opts.login.password) return cb(null, { user: auth.username });
      cb(Object.assign(new Error("Invalid username or password"), { responseCode: 535 }));
    },
    onRcptTo(address, _session, cb) {
      const code = refuse?.(address.address);
      if (code) return cb(Object.assign(new Error(code >= 500 ? "No such mailbox here" : "Mailbox busy, try later"), { responseCode: code }));
      cb();
    },
    onData(stream, _session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks);
        if (opts.dir) writeFileSync(path.join(opts.dir, `${Date.now()}-${randomBytes(4).toString("hex")}.eml`), raw);
        setTimeout(() => {
          parseMail(raw).then((m) => {
            mails.push(m);
            cb();
          }, cb);
        }, opts.delayMs ?? 0);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    mails,
    setRefusal(fn: Options["refuse"]) {
      refuse = fn;
    },
    /** Mails to this address, in the order they arrived. */
    to: (address: string) => mails.filter((m) => m.to.includes(address)),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Waits for the `count`-th mail to `address` (with this subject, if given) written to a catcher's folder by
 * another process. */
export async function waitForMailIn(dir: string, address: string, opts: { subject?: string; count?: number; timeoutMs?: number } = {}) {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    const found: CaughtMail[] = [];
    for (const f of readdirSync(dir).filter((n) => n.endsWith(".eml")).sort()) {
      const raw = readFileSync(path.join(dir, f));
      if (!raw.includes(address)) continue;
      const m = await parseMail(raw);
      if (m.to.includes(address) && (!opts.subject || m.subject === opts.subject)) found.push(m);
    }
    if (found.length >= (opts.count ?? 1)) return found[(opts.count ?? 1) - 1];
    if (Date.now() > deadline) throw new Error(`no mail to ${address} after ${opts.timeoutMs ?? 60_000} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
