// Password sign-in, rate-limited in Postgres so every replica agrees. Failures lock out the (account, address)
// pair that made them, not the account: a stranger's wrong guesses never keep the owner out. Guesses at one
// account spread over many addresses lock it only for addresses that never signed in to it successfully.
import "server-only";
import { recordAudit } from "../../audit/record-audit";
import { verifyPassword } from "../../auth/password";
import { db } from "../../db/client";
import { env, smtpConfig } from "../../env";
import { tooManyRequests } from "../../errors";
import { LOGIN_HISTORY_DAYS } from "../limits/prune-limits";
import { ZEmail } from "../../schemas/common";
import { lockUser } from "../users/lock-user";
import { openSession } from "./open-session";

export class SignInError extends Error {}


async function failuresSince(where: { email?: string; ip?: string }, since: Date) {
  return db.loginAttempt.count({ where: { ...where, success: false, createdAt: { gte: since } } });
}

async function locked(where: { email?: string; ip?: string }, since: Date, windowMs: number, message: string, after = "") {
  const oldest = await db.loginAttempt.findFirst({ where: { ...where, success: false, createdAt: { gte: since } }, orderBy: { createdAt: "asc" } });
  const mins = oldest ? Math.max(1, Math.ceil((oldest.createdAt.getTime() + windowMs - Date.now()) / 60_000)) : 1;
  return tooManyRequests(`${message} Try again in ${mins} minute${mins === 1 ? "" : "s"}.${after}`, mins * 60);
}

export async function signInWithPassword(emailRaw: string, password: string, ip: string | null, userAgent?: string | null) {
  const parsed = ZEmail.safeParse(emailRaw);
  // Not an address at all (or one the database can't store): the same answer as a wrong password.
  if (!parsed.success || password.length > 1024) throw new SignInError("Wrong email or password.");
  const email = parsed.data;
  const e = env();
  const address = ip ?? "unknown";
  const windowMs = e.LOGIN_WINDOW_MINUTES * 60_000;
  const since = new Date(Date.now() - windowMs);
  // The attempt is recorded (as a failure) before anything is checked, and the limits count it: parallel
  // guesses each see the others, so a burst can't slip more tries past the limit.
  const attempt = await db.loginAttempt.create({ data: { email, ip: address, success: false } });
  const [pair, byIp, byAccount] = await Promise.all([
    failuresSince({ email, ip: address }, since),
    failuresSince({ ip: address }, since),
    failuresSince({ email }, since),
  ]);
  // The way back in for the owner: a link sent to the account's address, or an administrator's unlock.
  const wayBack = smtpConfig() ? " You can sign in with a link sent by email instead, or an administrator can unlock the account." : " An administrator can unlock the account.";
  if (pair > e.LOGIN_MAX_FAILURES_PER_ACCOUNT) throw await locked({ email, ip: address }, since, windowMs, "Too many failed sign-in attempts for this account from your address.", wayBack);
  if (byIp > e.LOGIN_MAX_FAILURES_PER_IP) throw await locked({ ip: address }, since, windowMs, "Too many failed sign-in attempts from your address.");
  if (byAccount > e.LOGIN_MAX_FAILURES_PER_ACCOUNT_ANY_ADDRESS) {
    const known = await db.loginAttempt.count({ where: { email, ip: address, success: true, createdAt: { gte: new Date(Date.now() - LOGIN_HISTORY_DAYS * 86_400_000) } } });
    if (!known) throw await locked({ email }, since, windowMs, "This account is under a password-guessing attack; it can be signed in to with a password only from addresses it used before.", wayBack);
  }
  const user = await db.user.findUnique({ where: { email }, omit: { passwordHash: false } });
  const ok = await verifyPassword(password, user?.passwordHash);
  if (!ok || !user) throw new SignInError("Wrong email or password.");
  if (user.disabled) throw new SignInError("This account is disabled. Ask an administrator.");
  const sessionId = await db.$transaction(async (tx) => {
    // The password was checked outside (it takes a tenth of a second); the account may have been disabled or
    // claimed by SSO since. Under the user's lock, the hash that was checked must still be the one stored.
    const locked = await lockUser(tx, user.id, "share");
    if (!locked || locked.disabled || locked.passwordHash !== user.passwordHash) throw new SignInError("Wrong email or password.");
    await tx.loginAttempt.update({ where: { id: attempt.id }, data: { success: true } });
    await tx.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
    const sid = await openSession(tx, user.id, "password", ip, userAgent);
    await recordAudit(tx, { actor: { kind: "user", id: user.id, email: user.email, role: user.role }, ip }, { action: "session.sign_in", targetType: "session", targetId: sid, details: { method: "password" } });
    return sid;
  });
  return { user, sessionId };
}
