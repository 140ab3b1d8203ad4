// Mail is written to the outbox in the transaction of the event that causes it: the event and its mail commit
// together or not at all, and deliverQueuedMail sends it later, surviving crashes and SMTP outages.
import "server-only";
import type { Tx } from "../../db/client";
import { smtpConfig } from "../../env";
import type { Mail } from "../../mail/templates";

const DAY_MS = 86_400_000;

/** Queues one mail; without SMTP configured nothing is queued (false). `validForMs`: not sent after that long. */
export async function enqueueMail(tx: Tx, m: { userId: string | null; to: string; mail: Mail; validForMs?: number }) {
  if (!smtpConfig()) return false;
  await tx.outboxMail.create({
    data: { userId: m.userId, to: m.to, template: m.mail.template, params: m.mail.params, expiresAt: new Date(Date.now() + (m.validForMs ?? 3 * DAY_MS)) },
  });
  return true;
}
