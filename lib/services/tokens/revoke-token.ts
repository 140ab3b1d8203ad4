import "server-only";
import { recordAudit, type ServiceContext } from "../../audit/record-audit";
import { assertCan, can } from "../../auth/policy";
import { db, type Tx } from "../../db/client";
import { notFound } from "../../errors";

/** Revokes the token and every token minted from it, at any depth; returns the ids revoked now. A child being
 * minted right now holds its parent FOR SHARE: the UPDATE waits for it, but its statement snapshot was taken
 * before the child committed, so the walk repeats until it finds nothing new (and later mints see the parent
 * revoked and refuse). */
export async function revokeLineage(tx: Tx, rootId: string, at = new Date()) {
  const revoked: string[] = [];
  for (;;) {
    const rows = await tx.$queryRaw<{ id: string }[]>`
      WITH RECURSIVE line AS (
        SELECT id FROM "ApiToken" WHERE id = ${rootId}
        UNION SELECT t.id FROM "ApiToken" t JOIN line ON t."parentId" = line.id
      )
      UPDATE "ApiToken" SET "revokedAt" = ${at} WHERE id IN (SELECT id FROM line) AND "revokedAt" IS NULL RETURNING id`;
    if (!rows.length) return revoked;
    revoked.push(...rows.map((r) => r.id));
  }
}

export async function revokeToken(ctx: ServiceContext, id: string) {
  return db.$transaction(async (tx) => {
    const token = await tx.apiToken.findUnique({ where: { id } });
    const mine = ctx.actor.kind === "user" && token?.userId === ctx.actor.id;
    // Someone else's token is reported as missing unless you may administer tokens, so ids can't be probed.
    if (!token || (!mine && !can(ctx.actor, "token:admin"))) throw notFound("Token");
    assertCan(ctx.actor, mine ? "token:write" : "token:admin", { ownerId: token.userId });
    const revoked = await revokeLineage(tx, id);
    if (revoked.length) {
      await recordAudit(tx, ctx, { action: "token.revoke", targetType: "token", targetId: id, details: { name: token.name, alsoRevoked: revoked.filter((r) => r !== id) } });
    }
    return tx.apiToken.findUniqueOrThrow({ where: { id } });
  });
}

/** For the CLI: revoke by id or by the prefix shown in the UI. */
export async function revokeTokenByPrefixOrId(ctx: ServiceContext, idOrPrefix: string) {
  const token = await db.apiToken.findFirst({ where: { OR: [{ id: idOrPrefix }, { prefix: idOrPrefix }] } });
  if (!token) throw notFound("Token");
  return revokeToken(ctx, token.id);
}
