// Address confirmation: a link mailed to the address proves the person reads it (emailProof LINK), which is what
// release domain rules trust. Self-registered accounts get one at once; anyone unconfirmed may ask again.
import "server-only";
import { recordAudit, type ServiceContext } from "../../audit/record-audit";
import { assertCan, UnauthenticatedError } from "../../auth/policy";
import { db } from "../../db/client";
import { conflict, DomainError } from "../../errors";
import { env, smtpConfig } from "../../env";
import { LINK_MAILS } from "../../mail/templates";
import { emailConfirmed } from "../../schemas/user";
import { takeRateLimit } from "../limits/rate-limit";
import { enqueueMail } from "../mail/enqueue-mail";
import { takeEmailLink } from "../mail/mail-links";
import { lockUser } from "./lock-user";

const HOUR_MS = 3_600_000;
const VALID_MS = LINK_MAILS["confirm-email"].ttlMs;

export const NO_MAIL = "This server sends no email (SMTP is not configured): addresses are confirmed only by signing in through single sign-on.";

export async function requestEmailConfirmation(ctx: ServiceContext) {
  assertCan(ctx.actor, "profile:write");
  if (ctx.actor.kind !== "user") throw new UnauthenticatedError();
  if (!smtpConfig()) throw conflict(NO_MAIL);
  const userId = ctx.actor.id;
  await takeRateLimit("confirm-email", userId, env().EMAIL_LINKS_MAX_PER_ADDRESS_PER_HOUR, HOUR_MS, "Too many confirmation emails asked for.");
  return db.$transaction(async (tx) => {
    await lockUser(tx, userId, "share");
    const user = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, emailProof: true } });
    if (emailConfirmed(user.emailProof)) throw conflict("Your address is confirmed already");
    await enqueueMail(tx, { userId, to: user.email, mail: { template: "confirm-email", params: {} }, validForMs: VALID_MS });
    await recordAudit(tx, ctx, { action: "user.email_confirmation_sent", targetType: "user", targetId: userId, details: { email: user.email } });
    return { status: "accepted" as const, message: `A confirmation link is on its way to ${user.email}. It works once, for 24 hours.` };
  });
}

/** The link's holder confirms the address it was sent to; no session is needed (it is opened from the mailbox). */
export async function confirmEmail(ctx: ServiceContext, token: string) {
  const gone = new DomainError("This confirmation link is not valid any more (used, expired or replaced): ask for a new one on your account page", 410, "Gone", [{ field: "token", message: "expired or used" }]);
  return db.$transaction(async (tx) => {
    const linked = await takeEmailLink(tx, token, "confirm");
    if (!linked) throw gone;
    const locked = await lockUser(tx, linked.id, "update");
    if (!locked || locked.disabled) throw gone;
    const user = await tx.user.update({ where: { id: linked.id }, data: { emailProof: "LINK", emailVerifiedAt: locked.emailVerifiedAt ?? new Date() } });
    await recordAudit(tx, { ...ctx, actor: { kind: "system", label: "email confirmation link" } }, { action: "user.email_confirmed", targetType: "user", targetId: user.id, details: { email: user.email } });
    return { email: user.email, confirmed: true as const };
  });
}
