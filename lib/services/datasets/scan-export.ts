// A NIfTI volume's clean export for the viewer, made by the job process: written by the decoding process from files
// checked unchanged since indexing, then kept in the blob store (scan-volume.ts serves it).
import "server-only";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { blobStore } from "../../blobs/blob-store";
import { assertUnchanged } from "../../datasets/file-identity";
import { db } from "../../db/client";
import { notFound } from "../../errors";
import { exportType } from "../../imaging/export-nifti";
import { readNiftiHeader } from "../../imaging/nifti";
import type { ImagingWork } from "../../imaging/work";
import { exportKey } from "./scan-volume";

/** The job: the scan's clean NIfTI, written by the decoding process from files checked unchanged since indexing. */
export async function makeScanExport(work: ImagingWork, payload: { scanId: string }) {
  const scan = await db.scan.findUnique({ where: { id: payload.scanId } });
  if (!scan) throw notFound("Scan");
  const files = scan.files.length ? scan.files : [scan.path];
  await assertUnchanged(files, scan.fileStamp);
  // Integral: DICOM stored values with an integral intercept and slope 1 (what CT scanners write); NIfTI from its header.
  let slopeIntegral = true;
  if (scan.format !== "dicom") {
    const h = await readNiftiHeader(files[0]);
    slopeIntegral = Number.isInteger(h.slope) && Number.isInteger(h.intercept);
  }
  const datatype = exportType({ datatype: scan.datatype, huMin: scan.huMin, huMax: scan.huMax, slopeIntegral });
  const affine = [0, 1, 2, 3].map((r) => scan.affine.slice(4 * r, 4 * r + 4)) as [number[], number[], number[], number[]];
  const key = exportKey(scan.id);
  const tmp = `${blobStore().localPath(key)}.${process.pid}.partial`;
  await mkdir(path.dirname(tmp), { recursive: true });
  await rm(tmp, { force: true });
  try {
    const out = await work.exportNifti({ source: { format: scan.format, files, dims: scan.dims, spacing: scan.spacing, affine }, datatype, target: tmp });
    await blobStore().putFile(key, tmp);
    return out;
  } finally {
    await rm(tmp, { force: true });
  }
}

