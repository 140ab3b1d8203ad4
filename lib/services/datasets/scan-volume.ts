// A volume as the viewer (and anyone allowed to see the version) gets it: the clean NIfTI export, never the
// source file, so header text and DICOM tags stay on the server. A DICOM series' export was made at indexing; a
// NIfTI volume's is made by the job process on first request (scan-export.ts: reading and re-encoding a volume is
// work the web process never does) and kept.
import "server-only";
import { open } from "node:fs/promises";
import type { Actor } from "../../auth/policy";
import { blobStore } from "../../blobs/blob-store";
import { READ_FLAGS } from "../../http/open-flags";
import { awaitJob } from "../../jobs/queue";
import { readableScan } from "./previews";

export const exportKey = (scanId: string) => `exports/${scanId.toLowerCase()}.nii.gz`;
const WAIT_MS = 30_000;

async function openFile(file: string) {
  const fh = await open(file, READ_FLAGS);
  const size = (await fh.stat()).size;
  return { size, stream: fh.createReadStream({ highWaterMark: 1 << 20 }) };
}

export async function openScanVolume(actor: Actor, scanId: string) {
  const scan = await readableScan(actor, scanId);
  const name = `${scan.id}.nii.gz`;
  // A DICOM series' export was made at indexing (with its own scaling checks): served as it is.
  if (scan.trainPath) return { ...(await openFile(scan.trainPath)), name };
  const key = exportKey(scan.id);
  if ((await blobStore().size(key)) === null) {
    await awaitJob("export", `export:${scan.id}`, { scanId: scan.id }, { timeoutMs: WAIT_MS, redo: true, what: "The volume's NIfTI export" });
  }
  return { ...(await openFile(blobStore().localPath(key))), name };
}
