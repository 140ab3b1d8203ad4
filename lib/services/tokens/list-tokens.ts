import { assertCan, type Actor } from "../../auth/policy";
import { db } from "../../db/client";

export async function listTokens(actor: Actor, all = false) {
  assertCan(actor, "token:manage");
  const everyone = all && actor.kind !== "user" ? true : all && actor.kind === "user" && actor.role === "ADMIN";
  return db.apiToken.findMany({
    where: everyone || actor.kind !== "user" ? {} : { userId: actor.id },
    include: { user: { select: { email: true } } },
    orderBy: { createdAt: "desc" },
    take: 500,
  });
}
