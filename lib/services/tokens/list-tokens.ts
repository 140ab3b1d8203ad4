import "server-only";
import { assertCan, type Actor } from "../../auth/policy";
import { db } from "../../db/client";

/** Your own tokens; everyone's (`all`) only for an admin acting with the admin scope. */
export async function listTokens(actor: Actor, all = false) {
  assertCan(actor, all ? "token:admin" : "token:read");
  return db.apiToken.findMany({
    where: all || actor.kind !== "user" ? {} : { userId: actor.id },
    include: { user: { select: { email: true } } },
    orderBy: { createdAt: "desc" },
    take: 500,
  });
}
