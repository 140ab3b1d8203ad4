// Server-rendered previews of a volume: three mid-planes in a CT window, as PNG. The planes are kept from the
// indexing pass (int16, a few MB at most), so a preview is a render of a small array, cached per plane and
// window; a volume indexed before planes were kept is read once more to get them.
import "server-only";
import { statSync } from "node:fs";
import { blobStore } from "../../blobs/blob-store";
import type { Actor } from "../../auth/policy";
import { db } from "../../db/client";
import { notFound } from "../../errors";
import { indexFiles } from "../../imaging/index-files";
import { niftiPlanes } from "../../imaging/nifti";
import { PlaneCollector, type PlaneName, type WindowName } from "../../imaging/planes";
import { readableVersion } from "./read-versions";

const planesKey = (scanId: string) => `previews/${scanId}/planes.bin`;

export async function savePlanes(scanId: string, planes: PlaneCollector) {
  await blobStore().putBuffer(planesKey(scanId), planes.serialize());
}

/** A scan the actor may see (its version is visible to them). */
export async function readableScan(actor: Actor, scanId: string) {
  const scan = await db.scan.findUnique({ where: { id: scanId } });
  if (!scan) throw notFound("Scan");
  await readableVersion(actor, scan.datasetVersionId).catch(() => {
    throw notFound("Scan");
  });
  return scan;
}

async function planesOf(scan: { id: string; files: string[]; path: string; format: string }) {
  const saved = await blobStore().readBuffer(planesKey(scan.id));
  if (saved) return PlaneCollector.deserialize(saved);
  let planes: PlaneCollector;
  if (scan.format !== "dicom") planes = await niftiPlanes(scan.path);
  else {
    const files = (scan.files.length ? scan.files : [scan.path]).map((p) => ({ path: p, size: statSync(p).size }));
    const { volumes, problems } = await indexFiles(files);
    if (!volumes[0]) throw notFound(`Preview (${problems[0]?.error.message ?? "the file is gone"})`);
    planes = volumes[0].planes;
  }
  await savePlanes(scan.id, planes);
  return planes;
}

export async function previewPng(actor: Actor, scanId: string, plane: PlaneName, window: WindowName) {
  const scan = await readableScan(actor, scanId);
  const key = `previews/${scan.id}/${plane}-${window}.png`;
  const cached = await blobStore().readBuffer(key);
  if (cached) return cached;
  const png = (await planesOf(scan)).renderOne(plane, window);
  await blobStore().putBuffer(key, png);
  return png;
}
