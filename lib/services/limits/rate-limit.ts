// Fixed-window limits counted in Postgres, so every replica agrees. The hit is written before it is counted:
// parallel requests each see the others, and a burst can't slip past the limit.
import "server-only";
import { db } from "../../db/client";
import { tooManyRequests } from "../../errors";

export async function takeRateLimit(bucket: string, key: string, max: number, windowMs: number, message: string) {
  const since = new Date(Date.now() - windowMs);
  await db.rateLimitHit.create({ data: { bucket, key } });
  const hits = await db.rateLimitHit.count({ where: { bucket, key, createdAt: { gte: since } } });
  if (hits <= max) return;
  const oldest = await db.rateLimitHit.findFirst({ where: { bucket, key, createdAt: { gte: since } }, orderBy: { createdAt: "asc" } });
  const mins = oldest ? Math.max(1, Math.ceil((oldest.createdAt.getTime() + windowMs - Date.now()) / 60_000)) : 1;
  throw tooManyRequests(`${message} Try again in ${mins} minute${mins === 1 ? "" : "s"}.`, mins * 60);
}
