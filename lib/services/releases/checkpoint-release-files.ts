// The job that reads a checkpoint's release files (weights, config, preprocessing contract) out of its tar: the tar
// and the safetensors header inside it are a worker's upload, so they are read by the job process's decoding process
// (lib/releases/checkpoint-files.ts, under its limits), once per checkpoint; the files are kept in the blob store and
// shared by every release made from that checkpoint.
import "server-only";
import os from "node:os";
import path from "node:path";
import { readFile } from "node:fs/promises";
import { blobStore } from "../../blobs/blob-store";
import { db } from "../../db/client";
import { notFound } from "../../errors";
import { CHECKPOINT_FILES, removeDir, type CheckpointWork } from "../../releases/checkpoint-files";
import type { PreparedFiles } from "../../releases/prepared-files";

export async function prepareReleaseFiles(work: CheckpointWork, payload: { checkpointId: string }): Promise<PreparedFiles> {
  const ckpt = await db.checkpoint.findUnique({ where: { id: payload.checkpointId } });
  if (!ckpt) throw notFound("Checkpoint");
  const dir = path.join(os.tmpdir(), `hounsfield-checkpoint-${ckpt.id}-${process.pid}`);
  try {
    const extracted = await work.checkpointFiles({ tarFile: blobStore().localPath(ckpt.storageKey), dir });
    // At most 1 MB, and checked to be JSON by the decoding process.
    const preprocessing = JSON.parse(await readFile(extracted.find((f) => f.name === "preprocessing.json")!.file, "utf8")) as Record<string, unknown>;
    const files: PreparedFiles["files"] = [];
    for (const f of extracted) {
      const key = `checkpoint-files/${ckpt.id.toLowerCase()}/${f.sha256}/${f.name}`;
      await blobStore().putFile(key, f.file);
      files.push({ name: f.name, kind: CHECKPOINT_FILES[f.name], key, sha256: f.sha256, bytes: f.bytes });
    }
    return { files, preprocessing };
  } finally {
    await removeDir(dir);
  }
}
