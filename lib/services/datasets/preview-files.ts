// Previews made by the job process: the planes kept from indexing, rendered in every CT window as PNG; a volume
// indexed before planes were kept is read again by the decoding process, after its files are checked unchanged.
import "server-only";
import { stat } from "node:fs/promises";
import { blobStore } from "../../blobs/blob-store";
import { assertUnchanged } from "../../datasets/file-identity";
import { db } from "../../db/client";
import { notFound } from "../../errors";
import { PLANES, PlaneCollector, WINDOWS, type WindowName } from "../../imaging/planes";
import type { ImagingWork } from "../../imaging/work";
import { planesKey, pngKey } from "./previews";

export async function savePlanes(scanId: string, planes: PlaneCollector) {
  await blobStore().putBuffer(planesKey(scanId), planes.serialize());
}

/** The job: every plane in every window, rendered from the kept planes (or from the files, read again). */
export async function renderPreviews(work: ImagingWork, payload: { scanId: string }) {
  const scan = await db.scan.findUnique({ where: { id: payload.scanId }, select: { id: true, files: true, path: true, fileStamp: true } });
  if (!scan) throw notFound("Scan");
  const saved = await blobStore().readBuffer(planesKey(scan.id));
  let planes: PlaneCollector;
  if (saved) planes = PlaneCollector.deserialize(saved);
  else {
    const files = scan.files.length ? scan.files : [scan.path];
    await assertUnchanged(files, scan.fileStamp);
    const { volumes, problems } = await work.index(await Promise.all(files.map(async (p) => ({ path: p, size: (await stat(p)).size }))));
    if (!volumes[0]) throw problems[0]?.error ?? notFound("Preview");
    planes = volumes[0].planes;
    await savePlanes(scan.id, planes);
  }
  for (const plane of PLANES) {
    for (const window of Object.keys(WINDOWS) as WindowName[]) await blobStore().putBuffer(pngKey(scan.id, plane, window), planes.renderOne(plane, window));
  }
  return { rendered: PLANES.length * Object.keys(WINDOWS).length };
}
