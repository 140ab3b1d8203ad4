// The files a run trains on, served to the worker that leases it (or anyone who reads runs): only files of the
// dataset versions recorded in the run's mix, found by sha256, never by a path from the request.
import "server-only";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { Actor } from "../../auth/policy";
import { db } from "../../db/client";
import { DomainError, notFound } from "../../errors";
import { assertUnchanged } from "../../datasets/file-identity";
import { servedRange, type ByteRange } from "../../http/byte-range";
import { authorizeLeaseRead } from "../checkpoints/read-checkpoints";

/** The volume's bytes in `range`; `open: false` (HEAD) authorizes and sizes without opening the file. */
export async function openRunVolume(actor: Actor, runId: string, sha256: string, range: ByteRange | null = null, opts: { open?: boolean } = {}) {
  await authorizeLeaseRead(actor, runId, "run:data");
  const run = await db.run.findUnique({ where: { id: runId }, select: { datasetMix: true } });
  const versionIds = ((run?.datasetMix ?? []) as { versionId?: string | null }[]).map((m) => m.versionId).filter((v): v is string => !!v);
  // A NIfTI volume by its file's hash, or a DICOM series by its NIfTI export's.
  const scan = await db.scan.findFirst({
    where: { datasetVersionId: { in: versionIds }, OR: [{ sha256, format: { not: "dicom" } }, { trainSha256: sha256 }] },
    select: { path: true, bytes: true, trainPath: true, trainSha256: true, trainBytes: true, fileStamp: true },
  });
  if (!scan) throw notFound("Volume of this run");
  const [file, expected] = scan.trainSha256 === sha256 ? [scan.trainPath!, Number(scan.trainBytes)] : [scan.path, Number(scan.bytes)];
  // A dataset file is the folder owner's to change: checked against what was indexed before a byte is sent.
  if (file === scan.path) await assertUnchanged([file], scan.fileStamp, [expected]);
  const size = await stat(file).then((s) => s.size, () => null);
  if (size === null) throw new DomainError("The file of this volume is no longer on the server", 410, "Gone");
  if (size !== expected) throw new DomainError("The file of this volume changed on the server since it was indexed", 409, "Conflict");
  const { from, end } = servedRange(range, size);
  const stream = opts.open === false || size === 0 ? null : createReadStream(file, { start: from, end, highWaterMark: 1 << 20 });
  return { size, from, end, stream, name: file.endsWith(".gz") ? "volume.nii.gz" : "volume.nii" };
}
