// Password sign-in with rate limits per account and per IP, counted in Postgres so every replica agrees.
import { recordAudit } from "../../audit/record-audit";
import { verifyPassword } from "../../auth/password";
import { db } from "../../db/client";
import { env } from "../../env";
import { tooManyRequests } from "../../errors";

export class SignInError extends Error {}

async function failuresSince(where: { email?: string; ip?: string }, since: Date) {
  return db.loginAttempt.count({ where: { ...where, success: false, createdAt: { gte: since } } });
}

function minutesLeft(oldest: Date | undefined, windowMs: number) {
  if (!oldest) return 1;
  return Math.max(1, Math.ceil((oldest.getTime() + windowMs - Date.now()) / 60_000));
}

export async function signInWithPassword(emailRaw: string, password: string, ip: string | null) {
  const e = env();
  const email = emailRaw.trim().toLowerCase();
  const windowMs = e.LOGIN_WINDOW_MINUTES * 60_000;
  const since = new Date(Date.now() - windowMs);
  // The attempt is recorded (as a failure) before anything is checked, and the limits count it: parallel
  // guesses each see the others, so a burst can't slip more tries past the limit.
  const attempt = await db.loginAttempt.create({ data: { email, ip: ip ?? "unknown", success: false } });
  const [byAccount, byIp] = await Promise.all([failuresSince({ email }, since), ip ? failuresSince({ ip }, since) : Promise.resolve(0)]);
  const accountLocked = byAccount > e.LOGIN_MAX_FAILURES_PER_ACCOUNT;
  if (accountLocked || byIp > e.LOGIN_MAX_FAILURES_PER_IP) {
    const oldest = await db.loginAttempt.findFirst({
      where: { ...(accountLocked ? { email } : { ip: ip ?? "" }), success: false, createdAt: { gte: since } },
      orderBy: { createdAt: "asc" },
    });
    const mins = minutesLeft(oldest?.createdAt, windowMs);
    throw tooManyRequests(`Too many failed sign-in attempts. Try again in ${mins} minute${mins === 1 ? "" : "s"}.`, mins * 60);
  }
  const user = await db.user.findUnique({ where: { email } });
  const ok = await verifyPassword(password, user?.passwordHash);
  if (!ok || !user) throw new SignInError("Wrong email or password.");
  if (user.disabled) throw new SignInError("This account is disabled. Ask an administrator.");
  await db.$transaction(async (tx) => {
    await tx.loginAttempt.update({ where: { id: attempt.id }, data: { success: true } });
    await tx.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
    await recordAudit(tx, { actor: { kind: "user", id: user.id, email: user.email, role: user.role }, ip }, { action: "session.sign_in", targetType: "user", targetId: user.id, details: { method: "password" } });
  });
  return user;
}
