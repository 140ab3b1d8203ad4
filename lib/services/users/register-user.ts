import "server-only";
import type { z } from "zod";
import { recordAudit, type ServiceContext } from "../../audit/record-audit";
import { hashPassword } from "../../auth/password";
import { db } from "../../db/client";
import { sqlState } from "../../db/errors";
import { DomainError } from "../../errors";
import { env, smtpConfig } from "../../env";
import { LINK_MAILS } from "../../mail/templates";
import type { ZRegister } from "../../schemas/user";
import { takeRateLimit } from "../limits/rate-limit";
import { enqueueMail } from "../mail/enqueue-mail";
import { insertUser } from "./create-user";

const HOUR_MS = 3_600_000;

/** Self-registration: a clinician at once, or a clinician waiting for an admin to confirm the researcher role.
 * The answer and its timing are the same whether or not the email already has an account (the password is
 * hashed either way), so registration can't be used to find out who has one. With SMTP configured a new account is
 * sent a link that confirms its address, queued with the account itself. */
export async function registerUser(ctx: ServiceContext, input: z.output<typeof ZRegister>) {
  await takeRateLimit("register", ctx.ip ?? "unknown", env().REGISTER_MAX_PER_IP_PER_HOUR, HOUR_MS, "Too many accounts registered from your address.");
  const passwordHash = await hashPassword(input.password);
  const message = smtpConfig()
    ? "If this email had no account, it has one now, and a link to confirm the address is on its way: sign in with your password."
    : "If this email had no account, it has one now: sign in with your password.";
  const accepted = { status: "accepted" as const, message };
  await db.$transaction(async (tx) => {
    const existing = await tx.user.findUnique({ where: { email: input.email }, select: { id: true } });
    if (existing) {
      await recordAudit(tx, ctx, { action: "user.register_existing_email", targetType: "user", targetId: existing.id });
      return;
    }
    const requestedRole = input.role === "RESEARCHER" ? "RESEARCHER" : null;
    const user = await insertUser(tx, ctx, { ...input, role: "CLINICIAN", requestedRole, emailVerified: false }, "user.register", passwordHash);
    await enqueueMail(tx, { userId: user.id, to: user.email, mail: { template: "confirm-email", params: {} }, validForMs: LINK_MAILS["confirm-email"].ttlMs });
  }).catch((e) => {
    // The same email registered twice at the same moment: the second one is told what everyone is told.
    if (sqlState(e) === "23505" || (e as { code?: string }).code === "P2002" || (e instanceof DomainError && e.status === 409)) return;
    throw e;
  });
  return accepted;
}
