// Unique rows per test: no test depends on another's data and nothing is wiped globally.
import { randomBytes } from "node:crypto";
import type { EmailProof, Role } from "../../generated/prisma/enums";
import type { UserActor } from "../../lib/auth/policy";
import { hashPassword } from "../../lib/auth/password";
import { db } from "../../lib/db/client";

export const uniqueEmail = (tag = "user") => `${tag}-${randomBytes(5).toString("hex")}@example.org`;

export async function makeUser(role: Role = "RESEARCHER", opts: { password?: string; disabled?: boolean; emailVerified?: boolean; emailProof?: EmailProof; email?: string } = {}) {
  const user = await db.user.create({
    data: {
      email: opts.email ?? uniqueEmail(role.toLowerCase()),
      name: `Test ${role}`,
      role,
      disabled: opts.disabled ?? false,
      passwordHash: opts.password ? await hashPassword(opts.password) : null,
      emailVerifiedAt: opts.emailVerified || opts.emailProof ? new Date() : null,
      emailProof: opts.emailProof ?? null,
    },
  });
  const actor: UserActor = { kind: "user", id: user.id, email: user.email, role: user.role };
  return { user, actor, ctx: { actor, ip: "203.0.113.7" } };
}
