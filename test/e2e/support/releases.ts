// Releases for the browser-suite tests: a real checkpoint (the trainer's files, tarred) uploaded by a worker that
// leases its run, promoted and published as the run's owner.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as tar from "tar";
import { expect, type APIRequestContext } from "@playwright/test";

/** A checkpoint as the trainer writes it (step-N/ with safetensors weights, config, preprocessing, starter), tarred. */
export async function checkpointTar(step: number) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "matrix-ckpt-"));
  const stepDir = path.join(dir, `step-${step}`);
  mkdirSync(stepDir);
  const header = JSON.stringify({ w: { dtype: "F32", shape: [2], data_offsets: [0, 8] } }).padEnd(64, " ");
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  writeFileSync(path.join(stepDir, "model.safetensors"), Buffer.concat([len, Buffer.from(header), Buffer.from(new Float32Array([1, 2]).buffer)]));
  writeFileSync(path.join(stepDir, "config.json"), "{}");
  writeFileSync(path.join(stepDir, "preprocessing.json"), JSON.stringify({ orientation: "RAS" }));
  writeFileSync(path.join(stepDir, "finetune_starter.py"), "print('starter')\n");
  await tar.c({ cwd: dir, file: path.join(dir, "c.tar"), portable: true }, [`step-${step}`]);
  const out = readFileSync(path.join(dir, "c.tar"));
  rmSync(dir, { recursive: true, force: true });
  return out;
}

/** The owner's published OPEN release: a run of theirs claimed by their own Slurm worker, a checkpoint uploaded. */
export async function openReleaseOf(request: APIRequestContext, ownerCtx: APIRequestContext) {
  return releaseOf(request, ownerCtx, { policy: "OPEN" });
}

/** The owner's published release with this policy and terms, from a checkpoint of a run of theirs. */
export async function releaseOf(request: APIRequestContext, ownerCtx: APIRequestContext, o: { policy: "OPEN" | "GATED" | "PRIVATE"; terms?: string }) {
  const token = (await (await ownerCtx.post("/api/v1/tokens", { data: { name: "pages worker", scopes: ["worker"] } })).json()).secret as string;
  const w = { authorization: `Bearer ${token}` };
  const worker = (await (await request.post("/api/v1/workers", { headers: w, data: { name: "pages cluster", executor: "SLURM", instanceId: "pages-cluster" } })).json()).id as string;
  // The sample dataset is published shortly after the server's admin exists.
  await expect.poll(async () => (await ownerCtx.get("/api/v1/datasets/sample-ct/versions")).status(), { timeout: 30_000 }).toBe(200);
  const created = await ownerCtx.post("/api/v1/runs", { data: { name: "released", preset: "tiny", executor: "SLURM", gpus: 0, datasetMix: [{ dataset: "sample-ct", weight: 1 }] } });
  expect(created.status(), await created.text()).toBe(201);
  const run = (await created.json()).id as string;
  const claim = await (await request.post(`/api/v1/workers/${worker}/claim`, { headers: w, data: { instanceId: "pages-cluster" } })).json();
  expect(claim.run?.runId).toBe(run);
  const body = await checkpointTar(3);
  const b64 = (v: string) => Buffer.from(v).toString("base64");
  const meta = [["runId", run], ["epoch", String(claim.run.epoch)], ["step", "3"], ["sha256", createHash("sha256").update(body).digest("hex")]].map(([k, v]) => `${k} ${b64(v)}`).join(",");
  const up = await request.post("/api/v1/uploads", { headers: { ...w, "tus-resumable": "1.0.0", "upload-length": String(body.length), "upload-metadata": meta } });
  expect(up.status()).toBe(201);
  expect((await request.patch(`/api/v1/uploads/${up.headers()["location"].split("/").pop()}`, { headers: { ...w, "tus-resumable": "1.0.0", "upload-offset": "0", "content-type": "application/offset+octet-stream" }, data: body })).status()).toBe(204);
  const rel = (await (await ownerCtx.post("/api/v1/releases", { data: { runId: run, step: 3, name: `pages-${Date.now().toString(36)}`, version: "1.0.0", license: "CC BY 4.0", policy: o.policy, terms: o.terms ?? "" } })).json()).id as string;
  expect((await ownerCtx.post(`/api/v1/releases/${rel}/publish`, { data: {} })).status()).toBe(200);
  return rel;
}

