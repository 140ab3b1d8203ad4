import { recordAudit, type ServiceContext } from "../../audit/record-audit";
import { assertCan, can } from "../../auth/policy";
import { db } from "../../db/client";
import { notFound } from "../../errors";

export async function revokeToken(ctx: ServiceContext, id: string) {
  assertCan(ctx.actor, "token:manage");
  return db.$transaction(async (tx) => {
    const token = await tx.apiToken.findUnique({ where: { id } });
    // Someone else's token is reported as missing, so ids can't be probed.
    if (!token || !can(ctx.actor, "token:manage", { ownerId: token.userId })) throw notFound("Token");
    if (token.revokedAt) return token;
    const revoked = await tx.apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
    await recordAudit(tx, ctx, { action: "token.revoke", targetType: "token", targetId: id, details: { name: token.name } });
    return revoked;
  });
}

/** For the CLI: revoke by id or by the prefix shown in the UI. */
export async function revokeTokenByPrefixOrId(ctx: ServiceContext, idOrPrefix: string) {
  const token = await db.apiToken.findFirst({ where: { OR: [{ id: idOrPrefix }, { prefix: idOrPrefix }] } });
  if (!token) throw notFound("Token");
  return revokeToken(ctx, token.id);
}
