import "server-only";
import type { z } from "zod";
import type { Prisma } from "../../../generated/prisma/client";
import { assertCan, type Actor } from "../../auth/policy";
import { db } from "../../db/client";
import { notFound } from "../../errors";
import type { ZDatasetListQuery } from "../../schemas/dataset";

export async function listDatasets(actor: Actor, q: z.output<typeof ZDatasetListQuery> = {}) {
  assertCan(actor, "dataset:read");
  const where: Prisma.DatasetWhereInput = {
    ...(q.commercial ? { commercialUse: q.commercial } : {}),
    ...(q.verified ? { verified: q.verified } : {}),
    ...(q.q
      ? { OR: ["name", "bodyRegion", "license", "host"].map((f) => ({ [f]: { contains: q.q, mode: "insensitive" } })) }
      : {}),
  };
  return db.dataset.findMany({ where, orderBy: [{ ctVolumes: { sort: "desc", nulls: "last" } }, { name: "asc" }] });
}

export async function getDataset(actor: Actor, idOrSlug: string) {
  assertCan(actor, "dataset:read");
  const d = await db.dataset.findFirst({
    where: { OR: [{ id: idOrSlug }, { slug: idOrSlug }] },
    include: { licenseHistory: { orderBy: { changedAt: "asc" } } },
  });
  if (!d) throw notFound("Dataset");
  return d;
}
