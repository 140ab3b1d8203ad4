// A checkpoint as the trainer and agent make it (a tar of step-N/ with model.safetensors, optimizer state,
// config.json, preprocessing.json and the fine-tune starter), stored in the blob store with its Checkpoint row.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as tar from "tar";
import { blobStore } from "../../lib/blobs/blob-store";
import { db } from "../../lib/db/client";

/** A valid safetensors file of the given float32 tensors. */
export function safetensors(tensors: Record<string, number[]>) {
  let offset = 0;
  const header: Record<string, unknown> = { __metadata__: { encoder_prefix: "encoder." } };
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(tensors)) {
    const b = Buffer.from(new Float32Array(v).buffer);
    header[k] = { dtype: "F32", shape: [v.length], data_offsets: [offset, offset + b.length] };
    offset += b.length;
    parts.push(b);
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, Buffer.from(json), ...parts]);
}

/** `starter`: the finetune_starter.py the worker put in the tar (the trainer's own by default; null: none). */
export async function makeCheckpoint(runId: string, step: number, opts: { weights?: Buffer; starter?: Buffer | null } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "hounsfield-ckpt-"));
  try {
    const stepDir = path.join(dir, `step-${step}`);
    mkdirSync(stepDir);
    writeFileSync(path.join(stepDir, "model.safetensors"), opts.weights ?? safetensors({ "encoder.w": [1, 2, 3, 4], "decoder.w": [5, 6] }));
    writeFileSync(path.join(stepDir, "optimizer.safetensors"), safetensors({ "state.0.exp_avg": [0, 0] }));
    writeFileSync(path.join(stepDir, "config.json"), JSON.stringify({ preset: "tiny", model: { dim: 4 } }));
    writeFileSync(path.join(stepDir, "preprocessing.json"), JSON.stringify({ orientation: "RAS", spacing_mm: [1.5, 1.5, 1.5], hu_window: [-1000, 1000] }));
    const starter = opts.starter === undefined ? readFileSync(path.resolve(import.meta.dirname, "../../workers/trainer/finetune_starter.py")) : opts.starter;
    if (starter) writeFileSync(path.join(stepDir, "finetune_starter.py"), starter);
    const file = path.join(dir, "ckpt.tar");
    await tar.c({ cwd: dir, file, portable: true }, [`step-${step}`]);
    const bytes = readFileSync(file);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const key = `checkpoints/${runId.toLowerCase()}/${step}-${sha256}.tar`;
    await blobStore().putFile(key, file);
    return db.checkpoint.create({ data: { runId, step: BigInt(step), sha256, bytes: BigInt(bytes.length), storageKey: key } });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
