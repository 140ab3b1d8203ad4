// A volume as the viewer (and anyone allowed to see the version) gets it: the clean NIfTI export, never the
// source file, so header text and DICOM tags stay on the server.
import "server-only";
import type { Actor } from "../../auth/policy";
import { exportNifti, exportType } from "../../imaging/export-nifti";
import { readNiftiHeader } from "../../imaging/nifti";
import { READ_FLAGS } from "../../imaging/read-file";
import { open } from "node:fs/promises";
import { readableScan } from "./previews";

export async function openScanVolume(actor: Actor, scanId: string) {
  const scan = await readableScan(actor, scanId);
  // A DICOM series' export was made at indexing (with its own scaling checks): served as it is.
  if (scan.trainPath) {
    const fh = await open(scan.trainPath, READ_FLAGS);
    return { stream: fh.createReadStream({ highWaterMark: 1 << 20 }), name: `${scan.id}.nii.gz` };
  }
  const files = scan.files.length ? scan.files : [scan.path];
  const affine = [0, 1, 2, 3].map((r) => scan.affine.slice(4 * r, 4 * r + 4));
  // Integral: DICOM stored values with an integral intercept and slope 1 (what CT scanners write); NIfTI from its header.
  let slopeIntegral = true;
  if (scan.format !== "dicom") {
    const h = await readNiftiHeader(files[0]);
    slopeIntegral = Number.isInteger(h.slope) && Number.isInteger(h.intercept);
  }
  const datatype = exportType({ datatype: scan.datatype, huMin: scan.huMin, huMax: scan.huMax, slopeIntegral });
  return { stream: exportNifti({ format: scan.format, files, dims: scan.dims, spacing: scan.spacing, affine }, datatype), name: `${scan.id}.nii.gz` };
}
