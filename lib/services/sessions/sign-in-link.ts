// Signing in with a link mailed to the account's address: the way back in for an owner whom password lockouts
// keep out (a new address while the account is under attack), and for anyone who prefers it. Asking answers the
// same whether or not the account exists; links are rate limited, short-lived, used once, and never made for a
// disabled account. Signing in this way makes the address "known" to the account, like a password sign-in.
import "server-only";
import { recordAudit, type ServiceContext } from "../../audit/record-audit";
import { db } from "../../db/client";
import { conflict } from "../../errors";
import { env, smtpConfig } from "../../env";
import { LINK_MAILS } from "../../mail/templates";
import { takeRateLimit } from "../limits/rate-limit";
import { enqueueMail } from "../mail/enqueue-mail";
import { takeEmailLink } from "../mail/mail-links";
import { NO_MAIL } from "../users/confirm-email";
import { lockUser } from "../users/lock-user";
import { openSession } from "./open-session";
import { SignInError } from "./sign-in";

const HOUR_MS = 3_600_000;
const VALID_MS = LINK_MAILS["sign-in-link"].ttlMs;

export async function requestSignInLink(ctx: ServiceContext, email: string) {
  if (!smtpConfig()) throw conflict(NO_MAIL);
  const e = env();
  await takeRateLimit("sign-in-link-ip", ctx.ip ?? "unknown", e.EMAIL_LINKS_MAX_PER_IP_PER_HOUR, HOUR_MS, "Too many sign-in links asked for from your address.");
  await takeRateLimit("sign-in-link", email, e.EMAIL_LINKS_MAX_PER_ADDRESS_PER_HOUR, HOUR_MS, "Too many sign-in links asked for this email address.");
  await db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { email }, select: { id: true, disabled: true } });
    // Both ways write: the answer's timing says no more than its words whether the account exists.
    const send = !!user && !user.disabled;
    if (send) await enqueueMail(tx, { userId: user.id, to: email, mail: { template: "sign-in-link", params: {} }, validForMs: VALID_MS });
    await recordAudit(tx, ctx, { action: send ? "session.sign_in_link_sent" : "session.sign_in_link_refused", targetType: "user", targetId: user?.id ?? null, details: send ? undefined : { email } });
  });
  return { status: "accepted" as const, message: "If an account uses this address, a sign-in link is on its way to it. The link works once, for 15 minutes." };
}

export async function signInWithLink(token: string, ip: string | null, userAgent?: string | null) {
  return db.$transaction(async (tx) => {
    const linked = await takeEmailLink(tx, token, "sign-in");
    if (!linked) throw new SignInError("This sign-in link is not valid any more (used, expired or replaced): ask for a new one.");
    const locked = await lockUser(tx, linked.id, "share");
    if (!locked || locked.disabled) throw new SignInError("This account is disabled. Ask an administrator.");
    await tx.loginAttempt.create({ data: { email: linked.email, ip: ip ?? "unknown", success: true } });
    const user = await tx.user.update({ where: { id: linked.id }, data: { lastLoginAt: new Date() } });
    const sessionId = await openSession(tx, user.id, "link", ip, userAgent);
    await recordAudit(tx, { actor: { kind: "user", id: user.id, email: user.email, role: user.role }, ip }, { action: "session.sign_in", targetType: "session", targetId: sessionId, details: { method: "link" } });
    return { user, sessionId };
  });
}
