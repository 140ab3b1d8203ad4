// The decoding process: takes one task at a time from its parent (server/jobs/decoder-pool.ts) over IPC and answers
// with the result or the file's error. It holds no database connection and no secret; the parent bounds its heap,
// its resident memory and its time, and starts a new one when this one is killed.
import { createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { hashingTap } from "../../lib/blobs/hashing-tap";
import { asImagingError } from "../../lib/imaging/dicom";
import { exportNifti } from "../../lib/imaging/export-nifti";
import { indexFiles } from "../../lib/imaging/index-files";
import type { ExportTask } from "../../lib/imaging/work";
import type { DecoderReply, DecoderTask } from "./decoder-messages";

async function perform(task: DecoderTask) {
  if (task.op === "index") {
    const { volumes, problems } = await indexFiles(task.files);
    return {
      volumes: volumes.map((v) => ({ ...v, planes: v.planes.serialize() })),
      problems: problems.map((p) => ({ file: p.file, code: p.error.code, message: p.error.message })),
    };
  }
  const t: ExportTask = task.task;
  const tap = hashingTap();
  await pipeline(exportNifti(t.source, t.datatype), tap.stream, createWriteStream(t.target, { flags: "wx" }));
  return { sha256: tap.digest(), bytes: tap.bytes() };
}

process.on("message", (task: DecoderTask) => {
  perform(task).then(
    (value) => process.send!({ id: task.id, ok: true, value } satisfies DecoderReply),
    (e) => {
      const err = asImagingError(e);
      process.send!({ id: task.id, ok: false, code: err.code, message: err.message } satisfies DecoderReply);
    },
  );
});
// The parent goes away: so does this process (an orphaned decoder would go on holding memory).
process.on("disconnect", () => process.exit(0));
process.send!({ ready: true });
