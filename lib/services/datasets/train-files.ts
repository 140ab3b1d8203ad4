// The trainer reads NIfTI; a DICOM series gets its clean NIfTI export (HU, the indexed affine) made when it is
// indexed, by the decoding process, stored beside the blobs and named by the series' own hash, so a retry makes the
// same file. Agents download it by its sha256 like any volume.
import "server-only";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { blobStore } from "../../blobs/blob-store";
import { exportType } from "../../imaging/export-nifti";
import type { IndexedVolume } from "../../imaging/index-files";
import type { ImagingWork } from "../../imaging/work";

export async function makeTrainFile(work: ImagingWork, versionId: string, v: IndexedVolume) {
  if (v.format !== "dicom") return null;
  const key = `derived/${versionId.toLowerCase()}/${v.sha256}.nii.gz`;
  const tmp = `${blobStore().localPath(key)}.${process.pid}.partial`;
  await mkdir(path.dirname(tmp), { recursive: true });
  await rm(tmp, { force: true });
  // DICOM stored values are integers; CT's slope and intercept are too, so int16 holds HU exactly when it fits.
  const datatype = exportType({ datatype: v.datatype, huMin: v.huMin, huMax: v.huMax, slopeIntegral: Number.isInteger(v.slope) && Number.isInteger(v.intercept) });
  try {
    const out = await work.exportNifti({ source: { format: "dicom", files: v.files, dims: v.dims, spacing: v.spacing, affine: v.affine }, datatype, target: tmp });
    await blobStore().putFile(key, tmp);
    return { trainPath: blobStore().localPath(key), trainSha256: out.sha256, trainBytes: BigInt(out.bytes) };
  } finally {
    await rm(tmp, { force: true });
  }
}
