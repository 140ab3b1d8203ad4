import "server-only";
import type { z } from "zod";
import { recordAudit, type ServiceContext } from "../../audit/record-audit";
import { assertCan } from "../../auth/policy";
import { db } from "../../db/client";
import { conflict, notFound } from "../../errors";
import { revokeUserSessions } from "../sessions/revoke-sessions";
import type { ZUpdateUser } from "../../schemas/user";

export async function updateUser(ctx: ServiceContext, id: string, input: z.output<typeof ZUpdateUser>) {
  assertCan(ctx.actor, "user:manage");
  return db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id } });
    if (!user) throw notFound("User");
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
    // Disabling also ends their sessions, so re-enabling later doesn't bring old cookies back to life.
    if (input.disabled === true) await revokeUserSessions(tx, id);
    const action = input.disabled === true ? "user.disable" : input.disabled === false ? "user.enable" : input.requestedRole ? `user.role_request_${input.requestedRole}` : "user.change_role";
    await recordAudit(tx, ctx, {
      action,
      targetType: "user",
      targetId: id,
      details: { email: user.email, from: { role: user.role, disabled: user.disabled }, to: { role: updated.role, disabled: updated.disabled } },
    });
    return updated;
  });
}
