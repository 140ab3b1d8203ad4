// Sends what the outbox holds. Each call claims due mail with SKIP LOCKED and a lock that lapses, so any number of
// processes may call it and a sender that dies mid-way only delays its mail. A mail is marked sent right after the
// SMTP server accepted it (only a crash between the two sends it twice); a failure is retried with exponential
// backoff up to MAX_ATTEMPTS, a permanent refusal (5xx for the recipient or message) ends it at once.
import "server-only";
import { pool } from "../../db/client";
import { publicUrl, smtpConfig } from "../../env";
import { isPermanentRefusal, smtpTransport, type Transport } from "../../mail/smtp-transport";
import { isLinkMail, renderMail, secretLink } from "../../mail/templates";
import { ZEmail } from "../../schemas/common";
import { prepareLinkMail } from "./link-mail";

export const MAX_ATTEMPTS = 8;
const FIRST_RETRY_S = 30;
const LAST_RETRY_S = 3600;
const LOCK_S = 120;
const BATCH = 20;
const MAX_BATCHES = 10;
const KEEP_DAYS = 30;
const PRUNE_EVERY_MS = 3_600_000;

export type DeliveryResult = { sent: number; retrying: number; failed: number; cancelled: number };
type Row = { id: string; userId: string | null; to: string; template: string; params: unknown; attempts: number; expired: boolean };

/** Seconds before the next try after `attempts` failed ones: 30 s, 1 min, 2 min, … at most an hour. */
export const retryDelaySeconds = (attempts: number) => Math.min(LAST_RETRY_S, FIRST_RETRY_S * 2 ** Math.max(0, attempts - 1));

async function claimDue(limit: number) {
  const { rows } = await pool().query<Row>(
    `UPDATE "OutboxMail" m SET "lockedUntil" = (now() AT TIME ZONE 'UTC') + make_interval(secs => $2)
     FROM (SELECT id FROM "OutboxMail"
           WHERE status = 'PENDING' AND "nextAttemptAt" <= (now() AT TIME ZONE 'UTC')
             AND ("lockedUntil" IS NULL OR "lockedUntil" <= (now() AT TIME ZONE 'UTC'))
           ORDER BY "nextAttemptAt" LIMIT $1 FOR UPDATE SKIP LOCKED) due
     WHERE m.id = due.id
     RETURNING m.id, m."userId", m."to", m.template, m.params, m.attempts, m."expiresAt" <= (now() AT TIME ZONE 'UTC') AS expired`,
    [limit, LOCK_S],
  );
  return rows;
}

async function finish(id: string, status: "SENT" | "FAILED" | "CANCELLED", lastError: string | null) {
  await pool().query(
    `UPDATE "OutboxMail" SET status = $2::"MailStatus", "lockedUntil" = NULL, "lastError" = $3,
       attempts = attempts + CASE WHEN $2::"MailStatus" = 'CANCELLED' THEN 0 ELSE 1 END,
       "sentAt" = CASE WHEN $2::"MailStatus" = 'SENT' THEN now() AT TIME ZONE 'UTC' END
     WHERE id = $1`,
    [id, status, lastError?.slice(0, 500) ?? null],
  );
}

async function retryLater(row: Row, error: string) {
  await pool().query(
    `UPDATE "OutboxMail" SET attempts = attempts + 1, "lockedUntil" = NULL, "lastError" = $2,
       "nextAttemptAt" = (now() AT TIME ZONE 'UTC') + make_interval(secs => $3) WHERE id = $1`,
    [row.id, error.slice(0, 500), retryDelaySeconds(row.attempts + 1)],
  );
}

async function deliverOne(row: Row, transport: Transport, out: DeliveryResult) {
  if (row.expired) {
    await finish(row.id, "CANCELLED", "not sent before it expired");
    out.cancelled++;
    return;
  }
  // One plain address, whatever was stored (an SSO provider's claim, say): never a list that adds recipients.
  if (!ZEmail.safeParse(row.to).success) {
    await finish(row.id, "FAILED", "not a single email address");
    out.failed++;
    return;
  }
  const base = publicUrl();
  let linkId: string | null = null;
  let rendered;
  try {
    let link: string | undefined;
    if (isLinkMail(row.template)) {
      const prepared = await prepareLinkMail(row.template, row.userId, row.to);
      if ("skip" in prepared) {
        await finish(row.id, "CANCELLED", prepared.skip);
        out.cancelled++;
        return;
      }
      linkId = prepared.id;
      link = secretLink(base, row.template, prepared.secret);
    }
    rendered = renderMail(row.template, row.params, { baseUrl: base, link });
  } catch (e) {
    await finish(row.id, "FAILED", `not one of our mails: ${(e as Error).message}`);
    out.failed++;
    return;
  }
  try {
    await transport.send({ to: row.to, ...rendered, messageId: `<${row.id}@${new URL(base).hostname}>` });
  } catch (e) {
    // The link in a mail that never left is void: delete it rather than leave a live secret nobody holds.
    if (linkId) await pool().query(`DELETE FROM "EmailToken" WHERE id = $1`, [linkId]).catch(() => undefined);
    const message = (e as Error).message;
    if (isPermanentRefusal(e) || row.attempts + 1 >= MAX_ATTEMPTS) {
      await finish(row.id, "FAILED", message);
      out.failed++;
      console.error(`mail ${row.id} (${row.template}) to ${row.to} failed for good: ${message}`);
    } else {
      await retryLater(row, message);
      out.retrying++;
    }
    return;
  }
  await finish(row.id, "SENT", null);
  out.sent++;
}

let pruned = 0;

/** Old sent, failed and cancelled mail: kept a month to answer "did it go out?", then removed. */
async function pruneOld() {
  if (Date.now() - pruned < PRUNE_EVERY_MS) return;
  pruned = Date.now();
  await pool().query(`DELETE FROM "OutboxMail" WHERE status <> 'PENDING' AND "createdAt" < (now() AT TIME ZONE 'UTC') - make_interval(days => $1)`, [KEEP_DAYS]);
}

async function deliver(limit: number): Promise<DeliveryResult> {
  const out = { sent: 0, retrying: 0, failed: 0, cancelled: 0 };
  const smtp = smtpConfig();
  if (!smtp) return out;
  let transport: Transport | null = null;
  try {
    // Batch after batch while a full one came back, so a burst drains in one call, up to a bound.
    for (let batch = 0; batch < MAX_BATCHES; batch++) {
      const rows = await claimDue(limit);
      if (rows.length) transport ??= smtpTransport(smtp);
      for (const row of rows) await deliverOne(row, transport!, out);
      if (rows.length < limit) break;
    }
  } finally {
    transport?.close();
  }
  await pruneOld();
  return out;
}

let running: Promise<DeliveryResult> | null = null;

/** Sends the mail that is due (a batch at a time). A call while this process is still sending joins that run. */
export function deliverQueuedMail(opts: { limit?: number } = {}): Promise<DeliveryResult> {
  running ??= deliver(opts.limit ?? BATCH).finally(() => (running = null));
  return running;
}
