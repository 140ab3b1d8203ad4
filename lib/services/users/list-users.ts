import "server-only";
import type { z } from "zod";
import type { Prisma } from "../../../generated/prisma/client";
import { assertCan, type Actor } from "../../auth/policy";
import { db } from "../../db/client";
import type { ZUserListQuery } from "../../schemas/user";

export async function listUsers(actor: Actor, q: z.output<typeof ZUserListQuery>) {
  assertCan(actor, "user:read");
  const where: Prisma.UserWhereInput = {
    ...(q.role ? { role: q.role } : {}),
    ...(q.pending === "true" ? { requestedRole: { not: null } } : {}),
    ...(q.q ? { OR: [{ email: { contains: q.q, mode: "insensitive" } }, { name: { contains: q.q, mode: "insensitive" } }] } : {}),
  };
  const rows = await db.user.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: q.limit + 1,
    ...(q.cursor ? { cursor: { id: q.cursor }, skip: 1 } : {}),
  });
  const more = rows.length > q.limit;
  const users = rows.slice(0, q.limit);
  return { users, nextCursor: more ? users[users.length - 1].id : null };
}
