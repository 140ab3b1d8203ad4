import "server-only";
import type { z } from "zod";
import type { Prisma } from "../../../generated/prisma/client";
import { assertCan, type Actor } from "../../auth/policy";
import { db } from "../../db/client";
import { env } from "../../env";
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
  const page = rows.slice(0, q.limit);
  // Failed sign-ins within the window, from any address: what locks an account, and what an unlock forgets.
  const since = new Date(Date.now() - env().LOGIN_WINDOW_MINUTES * 60_000);
  const failures = await db.loginAttempt.groupBy({ by: ["email"], where: { email: { in: page.map((u) => u.email) }, success: false, createdAt: { gte: since } }, _count: { _all: true } });
  const failed = new Map(failures.map((f) => [f.email, f._count._all]));
  const users = page.map((u) => ({ ...u, failedSignIns: failed.get(u.email) ?? 0 }));
  return { users, nextCursor: more ? users[users.length - 1].id : null };
}
