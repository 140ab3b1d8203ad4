import type { z } from "zod";
import { recordAudit, type ServiceContext } from "../../audit/record-audit";
import { assertCan, scopesAllowedFor, type Scope } from "../../auth/policy";
import { displayPrefix, hashSecret, newSecret } from "../../auth/secret-token";
import { db } from "../../db/client";
import { DomainError, invalid, notFound } from "../../errors";
import type { ZCreateToken } from "../../schemas/token";

const DAY_MS = 86_400_000;

/** Creates a token for the calling user (or, from the CLI, for `forEmail`); the secret is returned once. */
export async function createToken(ctx: ServiceContext, input: z.output<typeof ZCreateToken>, forEmail?: string) {
  assertCan(ctx.actor, "token:manage");
  const actor = ctx.actor;
  const owner =
    actor.kind === "user" && !forEmail
      ? await db.user.findUnique({ where: { id: actor.id } })
      : await db.user.findUnique({ where: { email: forEmail ?? "" } });
  if (!owner) throw notFound("User");
  if (owner.disabled) throw new DomainError("This account is disabled", 409, "Conflict");
  if (actor.kind === "user" && owner.id !== actor.id) assertCan(actor, "token:manage", { ownerId: owner.id });
  const allowed = scopesAllowedFor(owner.role);
  // A token can never carry more than the token that created it.
  const ceiling = actor.kind === "user" && actor.token ? actor.token.scopes : null;
  const above = ceiling ? input.scopes.filter((s) => !ceiling.includes(s) && !ceiling.includes("admin")) : [];
  if (above.length) throw new DomainError(`A token is not allowed to create a token with more scopes than itself (${above.join(", ")})`, 403, "Forbidden");
  const bad = input.scopes.filter((s) => !allowed.includes(s));
  if (bad.length) {
    throw invalid("Some scopes are not available to this account", bad.map((s) => ({ field: "scopes", message: `${s} is not allowed for a ${owner.role.toLowerCase()}` })));
  }
  // Nor outlive it: a token-created token expires no later than its parent.
  const requested = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * DAY_MS) : null;
  const parentExpiry = actor.kind === "user" ? (actor.token?.expiresAt ?? null) : null;
  const expiresAt = parentExpiry && (!requested || requested > parentExpiry) ? parentExpiry : requested;
  const secret = newSecret();
  return db.$transaction(async (tx) => {
    const token = await tx.apiToken.create({
      data: {
        userId: owner.id,
        name: input.name,
        prefix: displayPrefix(secret),
        hash: hashSecret(secret),
        scopes: [...new Set<Scope>(input.scopes)],
        expiresAt,
      },
    });
    await recordAudit(tx, ctx, { action: "token.create", targetType: "token", targetId: token.id, details: { name: token.name, scopes: token.scopes, owner: owner.email } });
    return { ...token, secret };
  });
}
