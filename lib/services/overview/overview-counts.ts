import "server-only";
import { can, type Actor } from "../../auth/policy";
import { db } from "../../db/client";

/** Counts only what the actor may see; the rest is null. */
export async function overviewCounts(actor: Actor) {
  const [datasets, runs, workers, releases] = await Promise.all([
    can(actor, "dataset:read") ? db.dataset.count() : null,
    can(actor, "run:read") ? db.run.count({ where: { archivedAt: null } }) : null,
    can(actor, "worker:read") ? db.worker.count() : null,
    can(actor, "release:read") ? db.release.count({ where: { status: "PUBLISHED" } }) : null,
  ]);
  return { datasets, runs, workers, releases };
}
