// The work the web process hands to the job process, on a real database with real files: hostile files in a
// registered folder each end as that file's coded error while the rest is indexed; previews, volume exports and
// manifests are made once by a job runner while the request waits; a failure is kept (a hostile file is not decoded
// again per request); and a file swapped after indexing is refused with 409 wherever it would be read.
import { cpSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../lib/db/client";
import { setEnv } from "../../lib/env";
import { awaitJob, claimJob, failJob, requestJob } from "../../lib/jobs/queue";
import { ZCreateDataset, ZCreateVersion, ZRegisterFolder } from "../../lib/schemas/dataset";
import { drainIngestJobs } from "../../lib/services/datasets/ingest";
import { openManifest } from "../../lib/services/datasets/manifest-files";
import { previewPng } from "../../lib/services/datasets/previews";
import { openRunVolume } from "../../lib/services/datasets/run-volumes";
import { openScanVolume } from "../../lib/services/datasets/scan-volume";
import { createDataset, createVersion, publishVersion, registerFolder } from "../../lib/services/datasets/team-datasets";
import { runOneJob } from "../../server/jobs/job-process";
import { makeUser } from "../support/factories";
import { writeHostileFiles, type Hostile } from "../support/hostile-files";
import { useImagingWork } from "../support/imaging-work";

const work = useImagingWork();
const CT = path.resolve(import.meta.dirname, "../fixtures/ct");
const root = mkdtempSync(path.join(os.tmpdir(), "hounsfield-jobs-root-"));
const outside = mkdtempSync(path.join(os.tmpdir(), "hounsfield-jobs-outside-"));
let hostile: Hostile[] = [];

beforeAll(async () => {
  setEnv({ DATASET_ROOTS: root });
  hostile = await writeHostileFiles(path.join(root, "hostile"), { slices: 200, inflatedMb: 64 });
  cpSync(path.join(CT, "example_ct_sm.nii.gz"), path.join(root, "hostile", "good.nii.gz"));
  for (const f of ["a", "b", "c"]) {
    mkdirSync(path.join(root, f));
    cpSync(path.join(CT, "example_ct_sm.nii.gz"), path.join(root, f, "scan.nii.gz"));
  }
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

/** A job runner beside the test, as the job process runs one. */
function runner() {
  let stop = false;
  const done = (async () => {
    while (!stop) if (!(await runOneJob(work, "test-job-runner"))) await new Promise((r) => setTimeout(r, 20));
  })();
  return async () => {
    stop = true;
    await done;
  };
}

async function indexedFolder(folder: string, publish = false) {
  const r = await makeUser("RESEARCHER");
  const d = await createDataset(r.ctx, ZCreateDataset.parse({ name: `jobs ${folder}`, license: "CC BY 4.0" }));
  const v = await createVersion(r.ctx, d.id, ZCreateVersion.parse({ version: "1" }));
  await registerFolder(r.ctx, v.id, ZRegisterFolder.parse({ root, folder }));
  await drainIngestJobs(work, "test-runner");
  if (publish) await publishVersion(r.ctx, v.id);
  const scans = await db.scan.findMany({ where: { datasetVersionId: v.id } });
  return { r, v, scans };
}

describe("hostile files in a registered folder", () => {
  it("each ends as its own coded error; the good file and the series of many tiny slices are indexed", async () => {
    const { v, scans } = await indexedFolder("hostile");
    const files = await db.ingestFile.findMany({ where: { datasetVersionId: v.id } });
    const byName = (name: string) => files.filter((f) => f.name.startsWith(name));
    for (const h of hostile.filter((x) => x.code !== "indexed")) {
      expect({ name: h.name, code: byName(h.name)[0]?.errorCode }).toEqual({ name: h.name, code: h.code });
    }
    expect(byName("many/")).toHaveLength(200);
    expect(byName("many/").every((f) => f.status === "DONE")).toBe(true);
    expect(scans).toHaveLength(2);
    expect(scans.find((s) => s.format === "dicom")?.dims).toEqual([8, 8, 200]);
    expect(scans.find((s) => s.path.endsWith("good.nii.gz"))).toBeTruthy();
    expect(scans.every((s) => s.fileStamp && /^[0-9a-f]{64}$/.test(s.fileStamp))).toBe(true);
  });
});

describe("previews, exports and manifests are made by the job runner", () => {
  it("a preview request waits for its job, gets a PNG, and the next request is served without a job", async () => {
    const { r, scans } = await indexedFolder("a");
    const stop = runner();
    try {
      const png = await previewPng(r.actor, scans[0].id, "axial", "lung");
      expect(png.subarray(1, 4).toString()).toBe("PNG");
      const job = await db.job.findUniqueOrThrow({ where: { key: `preview:${scans[0].id}` } });
      expect(job).toMatchObject({ status: "DONE", attempts: 1 });
      expect((await previewPng(r.actor, scans[0].id, "sagittal", "bone")).subarray(1, 4).toString()).toBe("PNG");
      expect((await db.job.findUniqueOrThrow({ where: { key: `preview:${scans[0].id}` } })).finishedAt).toEqual(job.finishedAt);
    } finally {
      await stop();
    }
    // Someone who may not see the version gets no preview, and no job is queued for them.
    const other = await makeUser("CLINICIAN");
    await expect(previewPng(other.actor, scans[0].id, "axial", "lung")).rejects.toMatchObject({ status: 404 });
  });

  it("a NIfTI volume's export is written once by the decoding process and served as a file", async () => {
    const { r, scans } = await indexedFolder("b");
    const stop = runner();
    try {
      const v = await openScanVolume(r.actor, scans[0].id);
      const chunks: Buffer[] = [];
      for await (const c of v.stream) chunks.push(c as Buffer);
      const nii = gunzipSync(Buffer.concat(chunks));
      expect(v.size).toBe(Buffer.concat(chunks).length);
      expect([nii.readInt16LE(42), nii.readInt16LE(44), nii.readInt16LE(46)]).toEqual(scans[0].dims);
    } finally {
      await stop();
    }
  });

  it("a published version's manifest is built by a job and served from its file", async () => {
    const { r, v } = await indexedFolder("c", true);
    const stop = runner();
    try {
      const m = await openManifest(r.actor, v.id, "json");
      const chunks: Buffer[] = [];
      for await (const c of m.stream) chunks.push(c as Buffer);
      expect(JSON.parse(Buffer.concat(chunks).toString()).volumes).toHaveLength(1);
    } finally {
      await stop();
    }
  });
});

describe("the job queue", () => {
  it("one job per key; a file's failure is kept and answered as 422 without new work, a retryable one is queued again", async () => {
    const key = `export:test-${Date.now()}`;
    const a = await requestJob("export", key, { scanId: "x" });
    const b = await requestJob("export", key, { scanId: "x" });
    expect(b.id).toBe(a.id);
    const claimed = await claimJob("test", 60_000);
    expect(claimed?.id).toBe(a.id);
    await failJob(a.id, "test", "memory_limit", "decoding needed more than the 1024 MiB it may use");
    await expect(awaitJob("export", key, { scanId: "x" }, { timeoutMs: 100, redo: true, what: "The export" })).rejects.toMatchObject({ status: 422, message: expect.stringMatching(/1024 MiB/) });
    expect((await db.job.findUniqueOrThrow({ where: { key } })).status).toBe("FAILED");
    const key2 = `export:test2-${Date.now()}`;
    const c = await requestJob("export", key2, { scanId: "y" });
    await claimJob("test", 60_000);
    await failJob(c.id, "test", "retry", "the database went away");
    expect((await requestJob("export", key2, { scanId: "y" })).status).toBe("QUEUED");
    // Still queued after the wait: 503 with Retry-After, so the client asks again.
    await expect(awaitJob("export", key2, { scanId: "y" }, { timeoutMs: 100, what: "The export" })).rejects.toMatchObject({ status: 503, headers: { "Retry-After": "2" } });
    await db.job.deleteMany({ where: { key: { in: [key, key2] } } });
  });
});

describe("files checked again when they are read", () => {
  it("a file swapped after indexing (same size, or a link out of the root) is refused with 409 for the worker and the viewer", async () => {
    mkdirSync(path.join(root, "swap"));
    const file = path.join(root, "swap", "scan.nii.gz");
    cpSync(path.join(CT, "example_ct_sm.nii.gz"), file);
    const { r, v, scans } = await indexedFolder("swap", true);
    const { makeRun } = await import("../support/runs");
    const run = await makeRun(r.ctx, { datasetMix: [{ dataset: (await db.datasetVersion.findUniqueOrThrow({ where: { id: v.id }, include: { dataset: true } })).dataset.slug, weight: 1 }] });
    const before = await openRunVolume(r.actor, run.id, scans[0].sha256);
    before.stream?.destroy();
    // Another file of exactly the same size.
    const copy = path.join(outside, "same-size.nii.gz");
    cpSync(file, copy);
    writeFileSync(copy, Buffer.alloc((await import("node:fs")).statSync(file).size, 7));
    renameSync(copy, file);
    await expect(openRunVolume(r.actor, run.id, scans[0].sha256)).rejects.toMatchObject({ status: 409, title: "Changed since indexing" });
    const stop = runner();
    try {
      await expect(openScanVolume(r.actor, scans[0].id)).rejects.toMatchObject({ status: 409 });
    } finally {
      await stop();
    }
    // A link to a file outside every root, in its place.
    rmSync(file);
    cpSync(path.join(CT, "example_ct_sm.nii.gz"), path.join(outside, "secret.nii.gz"));
    symlinkSync(path.join(outside, "secret.nii.gz"), file);
    await expect(openRunVolume(r.actor, run.id, scans[0].sha256)).rejects.toMatchObject({ status: 409 });
    // The folder on the way replaced by a link to a folder outside the roots, holding the original file.
    rmSync(path.join(root, "swap"), { recursive: true });
    mkdirSync(path.join(outside, "swap"));
    cpSync(path.join(CT, "example_ct_sm.nii.gz"), path.join(outside, "swap", "scan.nii.gz"));
    symlinkSync(path.join(outside, "swap"), path.join(root, "swap"));
    await expect(openRunVolume(r.actor, run.id, scans[0].sha256)).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/no longer inside an allowed dataset folder/) });
  });
});
