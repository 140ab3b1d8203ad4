// Sending through the configured SMTP server (nodemailer). Timeouts are short: a slow or dead mail server delays
// only the mail, which stays queued and is retried, never anything else the caller does.
import nodemailer from "nodemailer";
import type { SmtpConfig } from "../env";

export type Transport = {
  send: (m: { to: string; subject: string; text: string; html: string; messageId: string }) => Promise<void>;
  close: () => void;
};

export function smtpTransport(c: SmtpConfig): Transport {
  const t = nodemailer.createTransport({
    host: c.host,
    port: c.port,
    secure: c.secure === "tls",
    // starttls: refuse to send when the server can't upgrade; none: don't even try (a local relay).
    requireTLS: c.secure === "starttls",
    ignoreTLS: c.secure === "none",
    auth: c.user ? { user: c.user, pass: c.password ?? "" } : undefined,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    async send(m) {
      await t.sendMail({ from: c.from, to: m.to, subject: m.subject, text: m.text, html: m.html, messageId: m.messageId });
    },
    close: () => t.close(),
  };
}

/** A refusal that sending again won't change: the server rejected this recipient or this message (5xx). Other
 * failures (no connection, a timeout, 4xx, a refused login) are retried. */
export function isPermanentRefusal(err: unknown) {
  const e = err as { responseCode?: number; command?: string };
  return typeof e?.responseCode === "number" && e.responseCode >= 500 && (e.command === "RCPT TO" || e.command === "DATA");
}
