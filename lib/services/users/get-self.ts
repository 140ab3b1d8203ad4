import "server-only";
import { assertCan, UnauthenticatedError, type Actor } from "../../auth/policy";
import { db } from "../../db/client";

export async function getSelf(actor: Actor) {
  assertCan(actor, "profile:read");
  if (actor.kind !== "user") throw new UnauthenticatedError();
  return db.user.findUniqueOrThrow({ where: { id: actor.id } });
}
