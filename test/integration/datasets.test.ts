// Dataset versions end to end on a real database and real CT files: a folder registered under an allowed root
// is indexed in the background, bad files are reported with their reason, a job taken over from a stopped
// server finishes without indexing anything twice, and published versions never change.
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import os from "node:os";
import { gunzipSync } from "node:zlib";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../lib/db/client";
import { setEnv } from "../../lib/env";
import { ZCreateDataset, ZCreateVersion, ZRegisterFolder } from "../../lib/schemas/dataset";
import { claimIngestJob, drainIngestJobs, runIngestJob } from "../../lib/services/datasets/ingest";
import { getVersion, listProblems, listScans, listVersions } from "../../lib/services/datasets/read-versions";
import { SAMPLE_SLUG, seedSampleDataset } from "../../lib/services/datasets/seed-sample";
import { createDataset, createVersion, publishVersion, registerFolder, updateDataset } from "../../lib/services/datasets/team-datasets";
import { seedCatalog } from "../../lib/services/datasets/seed-catalog";
import { getDataset } from "../../lib/services/datasets/list-datasets";
import { ZUpdateDataset } from "../../lib/schemas/dataset";
import { manifestCsv, versionDuplicates, versionManifest, versionStats } from "../../lib/services/datasets/version-insights";
import { makeUser } from "../support/factories";
import { makeRun } from "../support/runs";
import { useImagingWork } from "../support/imaging-work";

const work = useImagingWork();
import { openRunVolume } from "../../lib/services/datasets/run-volumes";

const CT = path.resolve(import.meta.dirname, "../fixtures/ct");
const SYSTEM = { actor: { kind: "system" as const, label: "test" } };
const root = mkdtempSync(path.join(os.tmpdir(), "hounsfield-root-"));
const outside = mkdtempSync(path.join(os.tmpdir(), "hounsfield-outside-"));

beforeAll(() => {
  setEnv({ DATASET_ROOTS: `${root}:/nonexistent-root` });
  // A study folder as a researcher would have it: NIfTI files, a DICOM series in a sub-folder, and clutter.
  const study = path.join(root, "study");
  mkdirSync(path.join(study, "dicom"), { recursive: true });
  cpSync(path.join(CT, "example_ct_sm.nii.gz"), path.join(study, "a.nii.gz"));
  cpSync(path.join(CT, "example_ct_heart_crop_lps.nii.gz"), path.join(study, "b.nii.gz"));
  cpSync(path.join(CT, "dicom-series-philips-phantom-axial"), path.join(study, "dicom", "philips"), { recursive: true });
  writeFileSync(path.join(study, "notes.txt"), "not a volume");
  writeFileSync(path.join(study, "empty.nii"), "");
  const gz = readFileSync(path.join(CT, "example_ct_sm.nii.gz"));
  writeFileSync(path.join(study, "cut.nii.gz"), gz.subarray(0, gz.length >> 1));
  writeFileSync(path.join(outside, "secret.nii.gz"), gz);
  symlinkSync(path.join(outside, "secret.nii.gz"), path.join(study, "link.nii.gz"));
  symlinkSync(outside, path.join(root, "escape"));
  // Scans with their reports, in the three layouts: <scan>.txt, report.txt in a series folder, reports.csv.
  mkdirSync(path.join(root, "reports", "series"), { recursive: true });
  cpSync(path.join(CT, "example_ct_sm.nii.gz"), path.join(root, "reports", "abdomen.nii.gz"));
  writeFileSync(path.join(root, "reports", "abdomen.txt"), "Patient: John Smith, MRN 12345678, seen 03/04/2021. No free air.");
  cpSync(path.join(CT, "example_ct_heart_crop_lps.nii.gz"), path.join(root, "reports", "heart.nii.gz"));
  writeFileSync(path.join(root, "reports", "reports.csv"), 'scan,report\nheart.nii.gz,"Normal heart size. No pericardial effusion."\nmissing.nii.gz,"nothing to pair"\n');
  cpSync(path.join(CT, "dicom-series-philips-phantom-axial"), path.join(root, "reports", "series"), { recursive: true });
  writeFileSync(path.join(root, "reports", "series", "report.txt"), "Phantom study, no findings.");
  writeFileSync(path.join(root, "reports", "stray.txt"), "a note that belongs to no scan");
  // Reports that try to read what they shouldn't, or can't say which scan they belong to.
  mkdirSync(path.join(root, "evil"));
  cpSync(path.join(CT, "example_ct_sm.nii.gz"), path.join(root, "evil", "a.nii.gz"));
  cpSync(path.join(CT, "example_ct_heart_crop_lps.nii.gz"), path.join(root, "evil", "b.nii.gz"));
  writeFileSync(path.join(outside, "secret.txt"), "TOP SECRET server file");
  symlinkSync(path.join(outside, "secret.txt"), path.join(root, "evil", "leak.txt"));
  writeFileSync(path.join(root, "evil", "reports.csv"), "scan,report_file\na.nii.gz,leak.txt\nb.nii.gz,../../../etc/hostname\n");
  writeFileSync(path.join(root, "evil", "report.txt"), "which scan is this for?");
  // The same heart CT twice in one folder, once gzipped and once not: one scan as far as the voxels go.
  mkdirSync(path.join(root, "dups"));
  cpSync(path.join(CT, "example_ct_heart_crop_lps.nii.gz"), path.join(root, "dups", "heart.nii.gz"));
  writeFileSync(path.join(root, "dups", "heart-again.nii"), gunzipSync(readFileSync(path.join(CT, "example_ct_heart_crop_lps.nii.gz"))));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

async function draftVersion(owner?: Awaited<ReturnType<typeof makeUser>>) {
  const r = owner ?? (await makeUser("RESEARCHER"));
  const d = await createDataset(r.ctx, ZCreateDataset.parse({ name: "Local chest CT", license: "internal: no redistribution" }));
  const v = await createVersion(r.ctx, d.id, ZCreateVersion.parse({ version: "2026-11" }));
  return { r, d, v };
}

describe("the sample dataset", () => {
  it("is published after seeding, indexed from the real file with its true geometry", async () => {
    const admin = await makeUser("ADMIN");
    await seedSampleDataset(SYSTEM, admin.user.id, work);
    const d = await db.dataset.findUniqueOrThrow({ where: { slug: SAMPLE_SLUG } });
    const [v] = await listVersions(admin.actor, d.id);
    expect(v.status).toBe("PUBLISHED");
    const { scans } = await listScans(admin.actor, v.id, { limit: 10 });
    expect(scans).toHaveLength(1);
    const file = readFileSync(path.join(CT, "example_ct.nii.gz"));
    expect(scans[0]).toMatchObject({
      dims: [122, 101, 112], spacing: [3, 3, 3], orientation: "RAS", datatype: "int32", huMin: -1207, huMax: 3382, looksLikeHu: true,
      sha256: createHash("sha256").update(file).digest("hex"), bytes: file.length,
    });
  });
});

describe("registering a server folder", () => {
  it("indexes every volume in the background and reports each bad file with its reason", async () => {
    const { r, v } = await draftVersion();
    const job = await registerFolder(r.ctx, v.id, ZRegisterFolder.parse({ root, folder: "study" }));
    expect(job.status).toBe("QUEUED");
    await drainIngestJobs(work, "test-runner");
    const got = await getVersion(r.actor, v.id);
    expect(got.jobs[0]).toMatchObject({ status: "DONE", totalFiles: 16, doneFiles: 12, failedFiles: 4 });
    expect(got.scans).toBe(3);
    const { scans } = await listScans(r.actor, v.id, { limit: 10 });
    expect(scans.map((s) => [s.name, s.format, s.dims]).sort()).toEqual([
      ["I10", "dicom", [512, 512, 10]],
      ["a.nii.gz", "nifti1", [122, 101, 30]],
      ["b.nii.gz", "nifti1", [122, 102, 112]],
    ]);
    const { problems } = await listProblems(r.actor, v.id);
    expect(problems.map((p) => [p.name, p.code])).toEqual([
      ["cut.nii.gz", "truncated"],
      ["empty.nii", "empty"],
      ["link.nii.gz", "skipped"],
      ["notes.txt", "report_unpaired"],
    ]);
    expect(problems.find((p) => p.name === "link.nii.gz")?.error).toMatch(/symbolic link/);
  });

  it("refuses roots that aren't allowed, traversal in any spelling, absolute paths and links out of the root", async () => {
    const { r, v } = await draftVersion();
    const attempt = (root_: string, folder: string) => registerFolder(r.ctx, v.id, ZRegisterFolder.parse({ root: root_, folder }));
    await expect(attempt("/etc", "")).rejects.toMatchObject({ status: 400, errors: [{ field: "root" }] });
    await expect(attempt(root, "../")).rejects.toMatchObject({ status: 400, errors: [{ field: "folder" }] });
    await expect(attempt(root, "study/../../etc")).rejects.toMatchObject({ status: 400 });
    await expect(attempt(root, "%2e%2e/etc")).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/percent-encoded/) });
    await expect(attempt(root, "..%2fetc")).rejects.toMatchObject({ status: 400 });
    await expect(attempt(root, "/etc")).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/relative/) });
    await expect(attempt(root, "escape")).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/symbolic link/) });
    await expect(attempt(root, "nothing-here")).rejects.toMatchObject({ status: 400 });
    await expect(attempt("/nonexistent-root", "")).rejects.toMatchObject({ status: 400, errors: [{ field: "root" }] });
    expect(await db.ingestJob.count({ where: { datasetVersionId: v.id } })).toBe(0);
  });

  it("a job whose server stopped is taken over and finished; nothing is indexed twice", async () => {
    const { r, v } = await draftVersion();
    await registerFolder(r.ctx, v.id, ZRegisterFolder.parse({ root, folder: "study" }));
    const job = (await claimIngestJob("first-server"))!;
    expect(job.datasetVersionId).toBe(v.id);
    // The first server indexes until a file is stored, then stops answering: its lock lapses.
    const first = runIngestJob(work, job, "first-server");
    for (let i = 0; i < 200 && !(await db.ingestFile.count({ where: { jobId: job.id, status: "DONE" } })); i++) await new Promise((res) => setTimeout(res, 20));
    await db.ingestJob.update({ where: { id: job.id }, data: { lockedBy: "first-server-gone", lockedUntil: new Date(Date.now() - 1000) } });
    await first; // it notices it lost the lock and stops writing
    const doneBefore = await db.ingestFile.findMany({ where: { jobId: job.id, status: "DONE" }, select: { id: true, updatedAt: true } });
    expect(doneBefore.length).toBeGreaterThan(0);
    expect(doneBefore.length).toBeLessThan(12);
    await drainIngestJobs(work, "second-server");
    const after = await db.ingestFile.findMany({ where: { id: { in: doneBefore.map((f) => f.id) } }, select: { id: true, updatedAt: true } });
    expect(after).toEqual(expect.arrayContaining(doneBefore)); // files the first server finished were not touched again
    expect(await db.scan.count({ where: { datasetVersionId: v.id } })).toBe(3);
    expect((await getVersion(r.actor, v.id)).jobs[0]).toMatchObject({ status: "DONE", doneFiles: 12, failedFiles: 4 });
  });
});

describe("publishing and who sees what", () => {
  it("publishes only indexed versions, and a published version takes no more files", async () => {
    const { r, v } = await draftVersion();
    await expect(publishVersion(r.ctx, v.id)).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/no indexed volumes/) });
    await registerFolder(r.ctx, v.id, ZRegisterFolder.parse({ root, folder: "study/dicom" }));
    await expect(publishVersion(r.ctx, v.id)).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/still being indexed/) });
    await drainIngestJobs(work, "test-runner");
    expect((await publishVersion(r.ctx, v.id)).status).toBe("PUBLISHED");
    await expect(registerFolder(r.ctx, v.id, ZRegisterFolder.parse({ root, folder: "study" }))).rejects.toMatchObject({ status: 409 });
    await expect(publishVersion(r.ctx, v.id)).rejects.toMatchObject({ status: 409 });
  });

  it("other researchers can't change my version; clinicians see published versions without identifiers", async () => {
    const { r, v } = await draftVersion();
    const other = await makeUser("RESEARCHER");
    const clinician = await makeUser("CLINICIAN");
    await expect(registerFolder(other.ctx, v.id, ZRegisterFolder.parse({ root, folder: "study" }))).rejects.toMatchObject({ action: "dataset:write" });
    await expect(createVersion(other.ctx, v.datasetId, ZCreateVersion.parse({ version: "x" }))).rejects.toMatchObject({ action: "dataset:write" });
    await expect(createDataset(clinician.ctx, ZCreateDataset.parse({ name: "x", license: "y" }))).rejects.toMatchObject({ action: "dataset:write" });
    await expect(getVersion(clinician.actor, v.id)).rejects.toMatchObject({ status: 404 }); // drafts are staff-only
    await registerFolder(r.ctx, v.id, ZRegisterFolder.parse({ root, folder: "study/dicom" }));
    await drainIngestJobs(work, "test-runner");
    await publishVersion(r.ctx, v.id);
    const staff = (await listScans(other.actor, v.id, { limit: 10 })).scans[0];
    expect(staff).toMatchObject({ patientId: "PLASTIC", studyUid: expect.stringMatching(/^1\.3\.46\./) });
    const seen = (await listScans(clinician.actor, v.id, { limit: 10 })).scans[0];
    expect(seen.tags).toMatchObject({ manufacturer: "Philips", kernel: "UB" });
    expect(seen.name).toMatch(/^volume [a-z0-9]{8}$/); // file names can carry identifiers too
    expect(JSON.stringify(seen)).not.toMatch(/PLASTIC|1\.3\.46\.670589\.33\.1\.27492712521914879309|I10/);
    await expect(listProblems(clinician.actor, v.id)).rejects.toMatchObject({ action: "dataset:inspect" });
  });
});

describe("training on DICOM", () => {
  it("a run on a DICOM-only version gets the series' NIfTI export in its manifest, served by its sha256", async () => {
    const { r, d, v } = await draftVersion();
    await registerFolder(r.ctx, v.id, ZRegisterFolder.parse({ root, folder: "study/dicom" }));
    await drainIngestJobs(work, "test-runner");
    await publishVersion(r.ctx, v.id);
    const run = await makeRun(r.ctx, { gpus: 0, datasetMix: [{ dataset: d.slug, weight: 1 }] });
    const scan = await db.scan.findFirstOrThrow({ where: { datasetVersionId: v.id } });
    expect(scan).toMatchObject({ format: "dicom", trainSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const got = await openRunVolume(r.actor, run.id, scan.trainSha256!);
    const bytes = await new Promise<Buffer>((res, rej) => {
      const parts: Buffer[] = [];
      got.stream!.on("data", (c) => parts.push(c as Buffer)).on("end", () => res(Buffer.concat(parts))).on("error", rej);
    });
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(scan.trainSha256);
    // The export is the series in HU: 512×512×10 int16 after a 352-byte header.
    expect(gunzipSync(bytes).length).toBe(352 + 512 * 512 * 10 * 2);
    await expect(openRunVolume(r.actor, run.id, scan.sha256)).rejects.toMatchObject({ status: 404 }); // the slices' digest is not a file
  });
});

describe("editing datasets", () => {
  it("admins edit catalog entries and a license change is kept with its reason; owners edit their own team datasets only", async () => {
    await seedCatalog(SYSTEM);
    const admin = await makeUser("ADMIN");
    const researcher = await makeUser("RESEARCHER");
    await expect(updateDataset(researcher.ctx, "ct-rate", ZUpdateDataset.parse({ notes: "x" }))).rejects.toMatchObject({ action: "catalog:write" });
    const before = (await getDataset(admin.actor, "ct-rate")).licenseHistory.length;
    await updateDataset(admin.ctx, "ct-rate", ZUpdateDataset.parse({ notes: "checked the terms page", verified: "YES" }));
    expect((await getDataset(admin.actor, "ct-rate")).licenseHistory).toHaveLength(before); // no terms changed
    await updateDataset(admin.ctx, "ct-rate", ZUpdateDataset.parse({ license: "CC BY 4.0", commercialUse: "YES", shareAlike: false, licenseNote: "relicensed upstream" }));
    const after = await getDataset(admin.actor, "ct-rate");
    expect(after).toMatchObject({ license: "CC BY 4.0", commercialUse: "YES", verified: "YES", notes: "checked the terms page" });
    expect(after.licenseHistory.at(-1)).toMatchObject({ license: "CC BY 4.0; commercial use yes; agreement required", note: "relicensed upstream" });
    const { d } = await draftVersion(researcher);
    expect((await updateDataset(researcher.ctx, d.id, ZUpdateDataset.parse({ bodyRegion: "chest" }))).bodyRegion).toBe("chest");
    const other = await makeUser("RESEARCHER");
    await expect(updateDataset(other.ctx, d.id, ZUpdateDataset.parse({ bodyRegion: "head" }))).rejects.toMatchObject({ action: "dataset:write" });
    await updateDataset(admin.ctx, "ct-rate", ZUpdateDataset.parse({ license: "CC BY-NC-SA 4.0", commercialUse: "NO", shareAlike: true, licenseNote: "restore for other tests" }));
  });
});

describe("radiology reports", () => {
  it("are paired by file name, series folder or reports.csv, screened for identifiers, and kept from clinicians", async () => {
    const { r, v } = await draftVersion();
    await registerFolder(r.ctx, v.id, ZRegisterFolder.parse({ root, folder: "reports" }));
    await drainIngestJobs(work, "test-runner");
    expect((await getVersion(r.actor, v.id)).reports).toBe(3);
    const scans = await db.scan.findMany({ where: { datasetVersionId: v.id }, orderBy: { path: "asc" } });
    const byName = Object.fromEntries(scans.map((s) => [path.basename(s.path), s]));
    expect(byName["abdomen.nii.gz"]).toMatchObject({ hasReport: true, reportFlags: ["date", "record number", "name"] });
    expect(byName["heart.nii.gz"]).toMatchObject({ hasReport: true, reportText: "Normal heart size. No pericardial effusion.", reportFlags: [] });
    expect(byName["I10"]).toMatchObject({ hasReport: true, reportText: "Phantom study, no findings." });
    const { problems } = await listProblems(r.actor, v.id);
    expect(problems.map((p) => p.name)).toEqual(["stray.txt"]);
    expect(problems[0].error).toMatch(/no scan of the same name/);
    await publishVersion(r.ctx, v.id);
    const m = await versionManifest(r.actor, v.id);
    expect(m.volumes.find((x) => x.path.endsWith("heart.nii.gz"))).toMatchObject({ report: "Normal heart size. No pericardial effusion." });
    const clinician = await makeUser("CLINICIAN");
    const seen = await listScans(clinician.actor, v.id, { limit: 10 });
    expect(JSON.stringify(seen)).not.toMatch(/John Smith|Normal heart|Phantom study/);
    expect(seen.scans.every((s) => s.hasReport && s.reportFlags.length === 0)).toBe(true);
  });
});

describe("reports that overreach", () => {
  it("a report file named in reports.csv must be a file of the version: a link out of the root is never read, and a folder of several scans takes no report.txt", async () => {
    const { r, v } = await draftVersion();
    await registerFolder(r.ctx, v.id, ZRegisterFolder.parse({ root, folder: "evil" }));
    await drainIngestJobs(work, "test-runner");
    const scans = await db.scan.findMany({ where: { datasetVersionId: v.id } });
    expect(scans).toHaveLength(2);
    expect(scans.every((x) => !x.hasReport && !x.reportText)).toBe(true);
    expect(JSON.stringify(await db.scan.findMany({ where: { datasetVersionId: v.id }, select: { reportText: true } }))).not.toContain("SECRET");
    const { problems } = await listProblems(r.actor, v.id);
    expect(problems.map((p) => [p.name, p.code])).toEqual([["leak.txt", "skipped"], ["report.txt", "report_unpaired"], ["reports.csv", "report_unpaired"]]);
    expect(problems.find((p) => p.name === "report.txt")?.error).toMatch(/several volumes/);
  });

  it("a version with files still waiting to be indexed can't be published", async () => {
    const { r, v } = await draftVersion();
    await registerFolder(r.ctx, v.id, ZRegisterFolder.parse({ root, folder: "study/dicom" }));
    await drainIngestJobs(work, "test-runner");
    const job = await db.ingestJob.findFirstOrThrow({ where: { datasetVersionId: v.id } });
    // A file that arrived as the job finished: waiting in a finished job until the next claim.
    await db.ingestFile.create({ data: { jobId: job.id, datasetVersionId: v.id, path: path.join(root, "study", "a.nii.gz"), name: "late.nii.gz", size: 1n } });
    await expect(publishVersion(r.ctx, v.id)).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/waiting to be indexed/) });
    await drainIngestJobs(work, "test-runner"); // the finished job is queued again and indexes it
    expect((await publishVersion(r.ctx, v.id)).status).toBe("PUBLISHED");
  });
});

describe("what a dataset page shows", () => {
  async function indexed(folder: string) {
    const d = await draftVersion();
    await registerFolder(d.r.ctx, d.v.id, ZRegisterFolder.parse({ root, folder }));
    await drainIngestJobs(work, "test-runner");
    await publishVersion(d.r.ctx, d.v.id);
    return d;
  }

  it("plots: every voxel lands in the HU histogram; scanners, kernels and geometry are counted", async () => {
    const { r, v } = await indexed("study");
    const s = await versionStats(r.actor, v.id);
    expect(s.volumes).toBe(3);
    const voxels = 122 * 101 * 30 + 122 * 102 * 112 + 512 * 512 * 10;
    expect(s.hu.reduce((n, b) => n + b.count, 0)).toBe(voxels);
    expect(s.manufacturer).toEqual([{ label: "Philips", count: 1 }]);
    expect(s.kernel).toEqual([{ label: "UB", count: 1 }]);
    expect(s.matrix).toEqual(expect.arrayContaining([{ label: "512×512", count: 1 }, { label: "122×101", count: 1 }]));
    expect(s.sliceSpacing).toEqual([{ label: "1.5–2 mm", count: 1 }, { label: "3–3.5 mm", count: 1 }, { label: "5–5.5 mm", count: 1 }]);
    expect(s.notHu).toBe(0);
  });

  it("duplicates: the same voxels in any format, within the version and across datasets; shared patients without the id for clinicians", async () => {
    const dups = await indexed("dups");
    const within = (await versionDuplicates(dups.r.actor, dups.v.id)).withinVersion;
    expect(within).toHaveLength(1);
    expect(within[0].scans.map((x) => x.name).sort()).toEqual(["heart-again.nii", "heart.nii.gz"]);
    const study = await indexed("study");
    const across = (await versionDuplicates(study.r.actor, study.v.id)).acrossDatasets;
    const heart = across.find((g) => g.kind === "voxels" && g.scans.some((x) => x.name === "heart-again.nii"));
    expect(heart?.scans.map((x) => x.versionId)).toEqual(expect.arrayContaining([study.v.id, dups.v.id]));
    // The Philips phantom was indexed by other tests too: its patient appears across datasets.
    const patient = across.find((g) => g.kind === "patient");
    expect(patient?.key).toBe("PLASTIC");
    const clinician = await makeUser("CLINICIAN");
    const seen = await versionDuplicates(clinician.actor, study.v.id);
    // Clinicians see the same voxels twice, under neutral names, and nothing about patients or studies.
    expect(seen.acrossDatasets.some((g) => g.kind === "voxels")).toBe(true);
    expect(seen.acrossDatasets.every((g) => g.kind === "voxels")).toBe(true);
    expect(JSON.stringify(seen)).not.toMatch(/PLASTIC|heart|\.nii/);
  });

  it("a published version's manifest is one the trainer reads, in JSON and CSV; drafts have none", async () => {
    const draft = await draftVersion();
    await expect(versionManifest(draft.r.actor, draft.v.id)).rejects.toMatchObject({ status: 409 });
    const { r, v } = await indexed("study");
    const m = await versionManifest(r.actor, v.id);
    expect(m.volumes).toHaveLength(3);
    const nifti = m.volumes.find((x) => x.path.endsWith("a.nii.gz"))!;
    expect(nifti).toMatchObject({ format: "nifti1", geometry: { shape: [122, 101, 30], spacing: [3, 3, 3], orientation: "RAS" } });
    const dicom = m.volumes.find((x) => x.format === "dicom") as { files?: { path: string; sha256: string }[] };
    expect(dicom.files).toHaveLength(10);
    const file = path.join(root, "manifest.json");
    writeFileSync(file, JSON.stringify(m));
    const trainer = path.resolve(import.meta.dirname, "../../workers/trainer");
    const read = execFileSync(
      process.env.HOUNSFIELD_PYTHON ?? "/usr/bin/python3",
      ["-c", "import sys, json; from hounsfield_trainer.manifest import load_manifest, materialize; from hounsfield_trainer.nifti import load_nifti; print(json.dumps(sorted([list(load_nifti(materialize(e, '/tmp'))[0].shape) for e in load_manifest(sys.argv[1])])))", file],
      { cwd: trainer, encoding: "utf8" },
    );
    // Every volume, the DICOM series through its NIfTI export, passes the trainer's sha256 check and loads.
    expect(JSON.parse(read)).toEqual([[122, 101, 30], [122, 102, 112], [512, 512, 10]]);
    expect(dicom).toMatchObject({ path: expect.stringMatching(/\.nii\.gz$/) });
    const csv = manifestCsv(m).trim().split("\n");
    expect(csv[0]).toBe("id,path,sha256,format,dim_x,dim_y,dim_z,spacing_x,spacing_y,spacing_z,orientation,voxel_hash,files,has_report");
    expect(csv).toHaveLength(4);
    expect(csv.find((l) => l.includes("a.nii.gz"))).toMatch(/,nifti1,122,101,30,3,3,3,RAS,[0-9a-f]{64},1,false$/);
    const clinician = await makeUser("CLINICIAN");
    await expect(versionManifest(clinician.actor, v.id)).rejects.toMatchObject({ action: "dataset:inspect" });
  });
});
