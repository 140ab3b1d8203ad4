// Lineage from a dataset version forwards: the runs whose recorded mix names it and the releases made from
// them (the release page links the other way). Each listed as the caller may see it: runs to those who read runs,
// releases by the release policy.
import "server-only";
import { can, type Actor } from "../../auth/policy";
import { db } from "../../db/client";
import { releaseAccess } from "../releases/release-access";

export async function versionLineage(actor: Actor, versionId: string) {
  const runs = await db.run.findMany({
    where: { datasetMix: { array_contains: [{ versionId }] } },
    orderBy: { createdAt: "desc" },
    take: 200,
    select: { id: true, name: true, status: true, releases: { select: { id: true, name: true, version: true, status: true, policy: true, createdById: true, terms: true, termsVersion: true } } },
  });
  const releases = [];
  for (const run of runs) {
    for (const r of run.releases) if (can(actor, "release:read", { release: await releaseAccess(actor, r) })) releases.push({ id: r.id, name: r.name, version: r.version, runId: run.id });
  }
  return { runs: can(actor, "run:read") ? runs.map((r) => ({ id: r.id, name: r.name, status: r.status })) : [], releases };
}
