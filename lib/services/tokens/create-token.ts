import "server-only";
import type { z } from "zod";
import { recordAudit, type ServiceContext } from "../../audit/record-audit";
import { assertCan, scopesAllowedFor, type Scope } from "../../auth/policy";
import { displayPrefix, hashSecret, newSecret } from "../../auth/secret-token";
import { db } from "../../db/client";
import { DomainError, invalid, notFound } from "../../errors";
import type { ZCreateToken } from "../../schemas/token";
import { credentialLive, lockUser } from "../users/lock-user";

const DAY_MS = 86_400_000;

/** Creates a token for the calling user (or, from the CLI, for `forEmail`); the secret is returned once. A token
 * made with a token is its child: never more scopes, never a longer life, and revoked with its parent. */
export async function createToken(ctx: ServiceContext, input: z.output<typeof ZCreateToken>, forEmail?: string) {
  const actor = ctx.actor;
  const owner =
    actor.kind === "user" && !forEmail
      ? await db.user.findUnique({ where: { id: actor.id } })
      : await db.user.findUnique({ where: { email: forEmail ?? "" } });
  if (!owner) throw notFound("User");
  assertCan(actor, "token:write", { ownerId: owner.id });
  if (owner.disabled) throw new DomainError("This account is disabled", 409, "Conflict");
  const allowed = scopesAllowedFor(owner.role);
  const parent = actor.kind === "user" ? actor.token : undefined;
  const above = parent ? input.scopes.filter((s) => !parent.scopes.includes(s) && !parent.scopes.includes("admin")) : [];
  if (above.length) throw new DomainError(`A token is not allowed to create a token with more scopes than itself (${above.join(", ")})`, 403, "Forbidden");
  const bad = input.scopes.filter((s) => !allowed.includes(s));
  if (bad.length) {
    throw invalid("Some scopes are not available to this account", bad.map((s) => ({ field: "scopes", message: `${s} is not allowed for a ${owner.role.toLowerCase()}` })));
  }
  const requested = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * DAY_MS) : null;
  const parentExpiry = parent?.expiresAt ?? null;
  const expiresAt = parentExpiry && (!requested || requested > parentExpiry) ? parentExpiry : requested;
  const secret = newSecret();
  return db.$transaction(async (tx) => {
    // Re-checked under locks: a revocation of the parent token, the calling session or the account (disabling,
    // an SSO claim) either finished before this line, and is seen here, or waits for this insert and then
    // revokes the new token with the rest.
    const locked = await lockUser(tx, owner.id, "share");
    if (!locked || locked.disabled) throw new DomainError("This account is disabled", 409, "Conflict");
    if (actor.kind === "user" && !(await credentialLive(tx, actor))) throw new DomainError("The credential making this request was revoked", 401, "Unauthorized");
    const token = await tx.apiToken.create({
      data: {
        userId: owner.id,
        name: input.name,
        prefix: displayPrefix(secret),
        hash: hashSecret(secret),
        scopes: [...new Set<Scope>(input.scopes)],
        expiresAt,
        parentId: parent?.id ?? null,
      },
    });
    await recordAudit(tx, ctx, { action: "token.create", targetType: "token", targetId: token.id, details: { name: token.name, scopes: token.scopes, owner: owner.email, parent: parent?.id ?? null } });
    return { ...token, secret };
  });
}
