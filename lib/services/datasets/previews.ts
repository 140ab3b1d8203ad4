// Previews of a volume: three mid-planes in each CT window, as PNG. The web process only serves them: they are
// rendered by the job process (preview-files.ts) on the first request and kept, so a preview is a stored file.
import "server-only";
import type { Actor } from "../../auth/policy";
import { blobStore } from "../../blobs/blob-store";
import { db } from "../../db/client";
import { notFound } from "../../errors";
import type { PlaneName, WindowName } from "../../imaging/planes";
import { awaitJob } from "../../jobs/queue";
import { readableVersion } from "./read-versions";

export const planesKey = (scanId: string) => `previews/${scanId.toLowerCase()}/planes.bin`;
export const pngKey = (scanId: string, plane: PlaneName, window: WindowName) => `previews/${scanId.toLowerCase()}/${plane}-${window}.png`;
/** How long a request waits for the job process before it answers 503 with Retry-After. */
const WAIT_MS = 20_000;

/** A scan the actor may see (its version is visible to them). */
export async function readableScan(actor: Actor, scanId: string) {
  const scan = await db.scan.findUnique({ where: { id: scanId } });
  if (!scan) throw notFound("Scan");
  await readableVersion(actor, scan.datasetVersionId).catch(() => {
    throw notFound("Scan");
  });
  return scan;
}

export async function previewPng(actor: Actor, scanId: string, plane: PlaneName, window: WindowName) {
  const scan = await readableScan(actor, scanId);
  const key = pngKey(scan.id, plane, window);
  const cached = await blobStore().readBuffer(key);
  if (cached) return cached;
  await awaitJob("preview", `preview:${scan.id}`, { scanId: scan.id }, { timeoutMs: WAIT_MS, redo: true, what: "The preview" });
  const png = await blobStore().readBuffer(key);
  if (!png) throw notFound("Preview");
  return png;
}
