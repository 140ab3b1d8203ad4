// The runs list stays fast at any size: filters hit indexes and paging is keyset (no OFFSET scans).
import "server-only";
import type { z } from "zod";
import type { Prisma } from "../../../generated/prisma/client";
import { assertCan, type Actor } from "../../auth/policy";
import { db } from "../../db/client";
import { invalid } from "../../errors";
import { RUN_STATUSES, type ZRunListQuery } from "../../schemas/run";

type Cursor = { v: string; id: string };
const encode = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString("base64url");
const VALID: Record<string, (v: string) => boolean> = {
  // Years PostgreSQL's timestamp and JavaScript's Date agree on; a cursor outside them was not made here.
  createdAt: (v) => /^\d{4}-\d\d-\d\dT/.test(v) && !Number.isNaN(Date.parse(v)),
  name: (v) => v.length <= 200,
  status: (v) => (RUN_STATUSES as readonly string[]).includes(v),
};
function decode(s: string, field: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(s, "base64url").toString("utf8"));
    if (typeof c.v === "string" && typeof c.id === "string" && c.id.length <= 64 && VALID[field](c.v)) return c;
  } catch {}
  throw invalid("Invalid cursor", [{ field: "query.cursor", message: "use nextCursor from the previous page, with the same sort" }]);
}

const FIELD = { created: "createdAt", name: "name", status: "status" } as const;

export const runSummaryInclude = { owner: { select: { id: true, email: true, name: true } } } as const;

export async function listRuns(actor: Actor, q: z.output<typeof ZRunListQuery>) {
  assertCan(actor, "run:read");
  const field = FIELD[q.sort];
  const owner = q.owner === "me" && actor.kind === "user" ? { ownerId: actor.id } : q.owner ? { owner: { OR: [{ id: q.owner }, { email: q.owner.toLowerCase() }] } } : {};
  const where: Prisma.RunWhereInput = {
    archivedAt: q.archived === "true" ? { not: null } : null,
    ...(q.status ? { status: q.status } : {}),
    ...(q.tag ? { tags: { has: q.tag } } : {}),
    ...owner,
    ...(q.dataset ? { datasetMix: { array_contains: [{ dataset: q.dataset }] } } : {}),
    ...(q.q ? { OR: [{ name: { contains: q.q, mode: "insensitive" } }, { description: { contains: q.q, mode: "insensitive" } }] } : {}),
  };
  const after = q.cursor ? decode(q.cursor, field) : null;
  const cmp = q.order === "asc" ? "gt" : "lt";
  const v = after ? (field === "createdAt" ? new Date(after.v) : after.v) : null;
  const keyset: Prisma.RunWhereInput = after ? { OR: [{ [field]: { [cmp]: v } }, { [field]: v, id: { [cmp]: after.id } }] } : {};
  const rows = await db.run.findMany({
    where: { AND: [where, keyset] },
    orderBy: [{ [field]: q.order }, { id: q.order }],
    take: q.limit + 1,
    include: runSummaryInclude,
  });
  const runs = rows.slice(0, q.limit);
  const last = runs[runs.length - 1];
  const lastValue = last ? (field === "createdAt" ? last.createdAt.toISOString() : String(last[field])) : "";
  return { runs, nextCursor: rows.length > q.limit && last ? encode({ v: lastValue, id: last.id }) : null };
}
