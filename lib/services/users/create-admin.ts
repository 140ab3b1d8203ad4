import "server-only";
import { recordAudit, type ServiceContext } from "../../audit/record-audit";
import { assertCan } from "../../auth/policy";
import { db } from "../../db/client";
import { hashPassword } from "../../auth/password";
import { insertUser } from "./create-user";

/** An admin account from the CLI (system actor) or an admin; an existing user is promoted and their password set. */
export async function createAdmin(ctx: ServiceContext, input: { email: string; name: string; password: string }) {
  assertCan(ctx.actor, "user:manage");
  return db.$transaction(async (tx) => {
    const existing = await tx.user.findUnique({ where: { email: input.email } });
    if (!existing) return insertUser(tx, ctx, { ...input, role: "ADMIN", emailVerified: true }, "user.create_admin");
    const user = await tx.user.update({
      where: { id: existing.id },
      data: { role: "ADMIN", requestedRole: null, disabled: false, passwordHash: await hashPassword(input.password), emailVerifiedAt: existing.emailVerifiedAt ?? new Date(), emailProof: existing.emailProof ?? "ASSIGNED" },
    });
    await recordAudit(tx, ctx, { action: "user.promote_admin", targetType: "user", targetId: user.id, details: { email: user.email } });
    return user;
  });
}
