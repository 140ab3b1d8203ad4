// An administrator lets a locked-out person back in: the account's failed sign-ins (from every address) are
// forgotten, so neither the per-address nor the under-attack lock holds it any more. Limits on a client address
// (LOGIN_MAX_FAILURES_PER_IP) are that address's, not the account's, and stay.
import "server-only";
import { recordAudit, type ServiceContext } from "../../audit/record-audit";
import { assertCan } from "../../auth/policy";
import { db } from "../../db/client";
import { notFound } from "../../errors";

export async function unlockUser(ctx: ServiceContext, id: string) {
  assertCan(ctx.actor, "user:manage");
  return db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id }, select: { id: true, email: true } });
    if (!user) throw notFound("User");
    const cleared = await tx.loginAttempt.deleteMany({ where: { email: user.email, success: false } });
    await recordAudit(tx, ctx, { action: "user.unlock", targetType: "user", targetId: id, details: { email: user.email, cleared: cleared.count } });
    return { id, cleared: cleared.count };
  });
}
