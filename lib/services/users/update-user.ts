import "server-only";
import type { z } from "zod";
import { recordAudit, type ServiceContext } from "../../audit/record-audit";
import { assertCan } from "../../auth/policy";
import { db } from "../../db/client";
import { conflict, notFound } from "../../errors";
import { revokeUserSessions } from "../sessions/revoke-sessions";
import { lockUser } from "./lock-user";
import type { ZUpdateUser } from "../../schemas/user";

export async function updateUser(ctx: ServiceContext, id: string, input: z.output<typeof ZUpdateUser>) {
  assertCan(ctx.actor, "user:manage");
  return db.$transaction(async (tx) => {
    if (!(await lockUser(tx, id, "update"))) throw notFound("User");
    const user = await tx.user.findUniqueOrThrow({ where: { id } });
    const self = ctx.actor.kind === "user" && ctx.actor.id === id;
    if (self && (input.disabled === true || (input.role && input.role !== "ADMIN"))) {
      throw conflict("You cannot disable yourself or give up your own admin role", [{ field: input.disabled ? "disabled" : "role", message: "not on your own account" }]);
    }
    const data: { role?: typeof user.role; disabled?: boolean; requestedRole?: null } = {};
    if (input.requestedRole) {
      if (!user.requestedRole) throw conflict("This user has no pending role request", [{ field: "requestedRole", message: "nothing pending" }]);
      if (input.requestedRole === "approve") data.role = user.requestedRole;
      data.requestedRole = null;
    }
    if (input.role) data.role = input.role;
    if (input.disabled !== undefined) data.disabled = input.disabled;
    const updated = await tx.user.update({ where: { id }, data });
    // Disabling also ends their sessions and tokens, so re-enabling later doesn't bring a leaked cookie or
    // token back to life.
    let revoked = { sessions: 0, tokens: 0 };
    if (input.disabled === true && !user.disabled) {
      revoked = { sessions: await revokeUserSessions(tx, id), tokens: (await tx.apiToken.updateMany({ where: { userId: id, revokedAt: null }, data: { revokedAt: new Date() } })).count };
    }
    const action = input.disabled === true ? "user.disable" : input.disabled === false ? "user.enable" : input.requestedRole ? `user.role_request_${input.requestedRole}` : "user.change_role";
    await recordAudit(tx, ctx, {
      action,
      targetType: "user",
      targetId: id,
      details: { email: user.email, from: { role: user.role, disabled: user.disabled }, to: { role: updated.role, disabled: updated.disabled }, revoked },
    });
    return updated;
  });
}
