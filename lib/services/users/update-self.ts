import "server-only";
import type { z } from "zod";
import { recordAudit, type ServiceContext } from "../../audit/record-audit";
import { assertCan, UnauthenticatedError } from "../../auth/policy";
import { db } from "../../db/client";
import type { ZUpdateSelf } from "../../schemas/user";

/** A person's own settings: which notifications also come by email. */
export async function updateSelf(ctx: ServiceContext, input: z.output<typeof ZUpdateSelf>) {
  assertCan(ctx.actor, "profile:write");
  if (ctx.actor.kind !== "user") throw new UnauthenticatedError();
  const id = ctx.actor.id;
  return db.$transaction(async (tx) => {
    const user = await tx.user.update({ where: { id }, data: input });
    await recordAudit(tx, ctx, { action: "user.mail_settings", targetType: "user", targetId: id, details: input });
    return user;
  });
}
