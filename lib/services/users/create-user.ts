import "server-only";
import type { EmailProof, Role } from "../../../generated/prisma/enums";
import { recordAudit, type ServiceContext } from "../../audit/record-audit";
import { hashPassword } from "../../auth/password";
import type { Tx } from "../../db/client";
import { conflict } from "../../errors";

/** `emailVerified`: the address may not be claimed by an SSO login. `emailProof`: how it was proven (default: an
 * admin's word, ASSIGNED, when verified; SSO sign-ups say SSO only when the provider asserted the address). */
type NewUser = { email: string; name: string; password?: string; role: Role; requestedRole?: Role | null; emailVerified: boolean; emailProof?: EmailProof | null };

/** Shared by registration, first-admin setup, the CLI and SSO sign-up; callers authorize first. */
export async function insertUser(tx: Tx, ctx: ServiceContext, u: NewUser, action: string, passwordHash?: string) {
  const existing = await tx.user.findUnique({ where: { email: u.email } });
  if (existing) throw conflict("An account with this email already exists", [{ field: "email", message: "already registered" }]);
  const user = await tx.user.create({
    data: {
      email: u.email,
      name: u.name,
      passwordHash: passwordHash ?? (u.password ? await hashPassword(u.password) : null),
      role: u.role,
      requestedRole: u.requestedRole ?? null,
      emailVerifiedAt: u.emailVerified ? new Date() : null,
      emailProof: u.emailProof !== undefined ? u.emailProof : u.emailVerified ? "ASSIGNED" : null,
    },
  });
  await recordAudit(tx, ctx, {
    action,
    targetType: "user",
    targetId: user.id,
    details: { email: user.email, role: user.role, requestedRole: user.requestedRole },
  });
  return user;
}
