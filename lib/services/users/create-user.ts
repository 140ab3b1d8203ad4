import "server-only";
import type { Role } from "../../../generated/prisma/enums";
import { recordAudit, type ServiceContext } from "../../audit/record-audit";
import { hashPassword } from "../../auth/password";
import type { Tx } from "../../db/client";
import { conflict } from "../../errors";

type NewUser = { email: string; name: string; password?: string; role: Role; requestedRole?: Role | null; emailVerified: boolean };

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
