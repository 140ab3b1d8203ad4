// Emailed one-time links (address confirmation, sign-in): 256 random bits, only the SHA-256 stored, minted when
// the mail is sent, used once, expiring. A link is bound to the account and to the address it was sent to.
import "server-only";
import { hashSecret, newSecret } from "../../auth/secret-token";
import type { Tx } from "../../db/client";
import type { LinkPurpose } from "../../mail/templates";

export async function mintEmailLink(tx: Tx, l: { userId: string; email: string; purpose: LinkPurpose; ttlMs: number }) {
  const secret = newSecret(l.purpose === "confirm" ? "confirm_" : "signin_");
  const row = await tx.emailToken.create({ data: { userId: l.userId, email: l.email, purpose: l.purpose, hash: hashSecret(secret), expiresAt: new Date(Date.now() + l.ttlMs) } });
  return { secret, id: row.id };
}

/** Takes a link for good: the user it names, or null when it is unknown, used, expired, of another purpose, or
 * sent to an address the account no longer has. Every other live link of the same purpose ends with it. */
export async function takeEmailLink(tx: Tx, secret: string, purpose: LinkPurpose) {
  if (secret.length > 200 || /[^\x21-\x7e]/.test(secret)) return null;
  const link = await tx.emailToken.findUnique({ where: { hash: hashSecret(secret) } });
  if (!link || link.purpose !== purpose || link.usedAt || link.expiresAt <= new Date()) return null;
  // The compare-and-set makes two clicks at once one use.
  const taken = await tx.emailToken.updateMany({ where: { id: link.id, usedAt: null }, data: { usedAt: new Date() } });
  if (taken.count !== 1) return null;
  await tx.emailToken.updateMany({ where: { userId: link.userId, purpose, usedAt: null }, data: { usedAt: new Date() } });
  const user = await tx.user.findUnique({ where: { id: link.userId } });
  if (!user || user.email !== link.email) return null;
  return user;
}
