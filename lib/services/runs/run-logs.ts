import "server-only";
import type { z } from "zod";
import type { ServiceContext } from "../../audit/record-audit";
import { assertCan, type Actor } from "../../auth/policy";
import { db } from "../../db/client";
import { notFound } from "../../errors";
import type { ZLogIngest, ZLogQuery } from "../../schemas/metrics";
import { assertReporter } from "../leases/fence";
import { touchRun } from "./touch-run";

/** Idempotent on (run, seq): a replayed chunk is ignored. */
export async function appendLogs(ctx: ServiceContext, runId: string, input: z.output<typeof ZLogIngest>) {
  assertCan(ctx.actor, "run:report");
  return db.$transaction(async (tx) => {
    const [run] = await tx.$queryRaw<{ ownerId: string }[]>`SELECT "ownerId" FROM "Run" WHERE id = ${runId} FOR KEY SHARE`;
    if (!run) throw notFound("Run");
    await assertReporter(tx, ctx.actor, runId, run.ownerId, input.epoch, "data");
    const r = await tx.logChunk.createMany({ data: input.chunks.map((c) => ({ runId, seq: c.seq, text: c.text, stream: c.stream })), skipDuplicates: true });
    await touchRun(tx, runId);
    return { accepted: input.chunks.length, inserted: r.count };
  });
}

export async function readLogs(actor: Actor, runId: string, q: z.output<typeof ZLogQuery>) {
  assertCan(actor, "run:read");
  if (!(await db.run.count({ where: { id: runId } }))) throw notFound("Run");
  const chunks = await db.logChunk.findMany({
    where: { runId, seq: { gt: q.after }, ...(q.q ? { text: { contains: q.q, mode: "insensitive" } } : {}) },
    orderBy: { seq: "asc" },
    take: q.limit,
  });
  const lines = chunks.flatMap((c) =>
    c.text
      .split("\n")
      .filter((l, i, all) => l !== "" || i < all.length - 1)
      .filter((l) => !q.q || l.toLowerCase().includes(q.q.toLowerCase()))
      .map((text) => ({ seq: c.seq, text, at: c.createdAt.toISOString() })),
  );
  return { lines, last: chunks.length ? chunks[chunks.length - 1].seq : q.after };
}
