// The trainer reads NIfTI; a DICOM series gets its clean NIfTI export (HU, the indexed affine) made when it is
// indexed, stored beside the blobs and named by the series' own hash, so a retry makes the same file. Agents
// download it by its sha256 like any volume.
import "server-only";
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { blobStore } from "../../blobs/blob-store";
import { hashingTap } from "../../blobs/hashing-tap";
import { exportNifti, exportType } from "../../imaging/export-nifti";
import type { IndexedVolume } from "../../imaging/index-files";

export async function makeTrainFile(versionId: string, v: IndexedVolume) {
  if (v.format !== "dicom") return null;
  const key = `derived/${versionId.toLowerCase()}/${v.sha256}.nii.gz`;
  const tmp = `${blobStore().localPath(key)}.${process.pid}.partial`;
  await mkdir(path.dirname(tmp), { recursive: true });
  const tap = hashingTap();
  // DICOM stored values are integers; CT's slope and intercept are too, so int16 holds HU exactly when it fits.
  const datatype = exportType({ datatype: v.datatype, huMin: v.huMin, huMax: v.huMax, slopeIntegral: Number.isInteger(v.slope) && Number.isInteger(v.intercept) });
  await pipeline(exportNifti({ format: "dicom", files: v.files, dims: v.dims, spacing: v.spacing, affine: v.affine }, datatype), tap.stream, createWriteStream(tmp));
  await blobStore().putFile(key, tmp);
  return { trainPath: blobStore().localPath(key), trainSha256: tap.digest(), trainBytes: BigInt(tap.bytes()) };
}
