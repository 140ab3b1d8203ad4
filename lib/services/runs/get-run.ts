import "server-only";
import { assertCan, type Actor } from "../../auth/policy";
import { db } from "../../db/client";
import { notFound } from "../../errors";
import { runSummaryInclude } from "./list-runs";
import { toRun } from "./to-run";

/** The full run; callers have authorized already (reading it, or having just written it). */
export async function loadRun(id: string) {
  const run = await db.run.findUnique({
    where: { id },
    include: { ...runSummaryInclude, events: { orderBy: { at: "asc" } }, metricKeys: { select: { key: true }, orderBy: { key: "asc" } } },
  });
  if (!run) throw notFound("Run");
  return toRun(run);
}

export async function getRun(actor: Actor, id: string) {
  assertCan(actor, "run:read");
  return loadRun(id);
}
