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
  if (!q.trainable) return db.dataset.findMany({ where, orderBy: [{ ctVolumes: { sort: "desc", nulls: "last" } }, { name: "asc" }] });
  const rows = await db.dataset.findMany({
    where: { ...where, versions: { some: { status: "PUBLISHED" } } },
    orderBy: { name: "asc" },
    include: { versions: { where: { status: "PUBLISHED" }, orderBy: { publishedAt: "desc" }, select: { id: true, version: true, publishedAt: true, _count: { select: { scans: true } } } } },
  });
  return rows.map(({ versions, ...d }) => ({ ...d, published: versions.map((v) => ({ id: v.id, version: v.version, scans: v._count.scans, publishedAt: v.publishedAt?.toISOString() ?? null })) }));
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
