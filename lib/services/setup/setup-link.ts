// No default password: with no admin yet, the server prints a one-time link that creates the first one.
import "server-only";
import type { z } from "zod";
import { recordAudit, type ServiceContext } from "../../audit/record-audit";
import { hashSecret, newSecret } from "../../auth/secret-token";
import { db } from "../../db/client";
import { DomainError } from "../../errors";
import type { ZSetupAdmin } from "../../schemas/user";
import { insertUser } from "../users/create-user";

const LINK_TTL_MS = 24 * 3_600_000;

export async function hasAdmin() {
  return (await db.user.count({ where: { role: "ADMIN", disabled: false } })) > 0;
}

/** A fresh link; older unused ones stop working so only the last printed link is live. */
export async function createSetupLink(): Promise<string | null> {
  if (await hasAdmin()) return null;
  const secret = newSecret("setup_");
  await db.$transaction([
    db.setupToken.updateMany({ where: { purpose: "first-admin", usedAt: null }, data: { usedAt: new Date() } }),
    db.setupToken.create({ data: { hash: hashSecret(secret), purpose: "first-admin", expiresAt: new Date(Date.now() + LINK_TTL_MS) } }),
  ]);
  return secret;
}

export async function completeSetup(ctx: ServiceContext, input: z.output<typeof ZSetupAdmin>) {
  const gone = new DomainError("This setup link is not valid any more; restart the server for a new one", 410, "Gone", [{ field: "token", message: "expired or used" }]);
  return db.$transaction(async (tx) => {
    const link = await tx.setupToken.findUnique({ where: { hash: hashSecret(input.token) } });
    if (!link || link.usedAt || link.expiresAt < new Date()) throw gone;
    // Marking it used in the same transaction makes a double submit create one admin, not two.
    const used = await tx.setupToken.updateMany({ where: { id: link.id, usedAt: null }, data: { usedAt: new Date() } });
    if (used.count !== 1) throw gone;
    if ((await tx.user.count({ where: { role: "ADMIN" } })) > 0) throw gone;
    const user = await insertUser(tx, { ...ctx, actor: { kind: "system", label: "setup link" } }, { email: input.email, name: input.name, password: input.password, role: "ADMIN", emailVerified: true }, "user.create_admin");
    await recordAudit(tx, ctx, { action: "setup.complete", targetType: "user", targetId: user.id });
    return user;
  });
}
