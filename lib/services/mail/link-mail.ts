// The one-time link of a confirmation or sign-in mail, minted as the mail goes out. The account is checked again
// then: a disabled account gets no sign-in link, a confirmed address no second confirmation, and an account whose
// address changed since the mail was queued gets nothing at its old one.
import "server-only";
import { db } from "../../db/client";
import { LINK_MAILS } from "../../mail/templates";
import { lockUser } from "../users/lock-user";
import { mintEmailLink } from "./mail-links";

export async function prepareLinkMail(template: keyof typeof LINK_MAILS, userId: string | null, to: string): Promise<{ secret: string; id: string } | { skip: string }> {
  if (!userId) return { skip: "no account" };
  const { purpose, ttlMs } = LINK_MAILS[template];
  return db.$transaction(async (tx) => {
    // Under the user's lock, like every credential: a link is never minted from a state that was just revoked.
    if (!(await lockUser(tx, userId, "share"))) return { skip: "the account is gone" };
    const user = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, disabled: true, emailProof: true } });
    if (user.email !== to) return { skip: "the account's address changed" };
    if (user.disabled) return { skip: "the account is disabled" };
    if (purpose === "confirm" && (user.emailProof === "SSO" || user.emailProof === "LINK")) return { skip: "the address is confirmed already" };
    return mintEmailLink(tx, { userId, email: to, purpose, ttlMs });
  });
}
