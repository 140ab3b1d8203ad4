// The indexer against an independent reader: nibabel and pydicom (Debian's) read the same real CT files, and the
// geometry and HU statistics must agree; the same voxels stored differently must hash alike, and one changed
// voxel must not.
import { execFileSync } from "node:child_process";
import { createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { exportNifti, exportType } from "../../../lib/imaging/export-nifti";
import { indexFiles, type IndexedVolume } from "../../../lib/imaging/index-files";
import { niftiPlanes } from "../../../lib/imaging/nifti";

const CT = path.resolve(import.meta.dirname, "../../fixtures/ct");
const ORACLE = path.resolve(import.meta.dirname, "../../support/imaging_oracle.py");
const PYTHON = process.env.HOUNSFIELD_PYTHON ?? "/usr/bin/python3";
const tmp = mkdtempSync(path.join(os.tmpdir(), "hounsfield-imaging-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const oracle = (...args: string[]) => JSON.parse(execFileSync(PYTHON, [ORACLE, ...args], { encoding: "utf8", maxBuffer: 1 << 24 }));
const input = (p: string) => ({ path: p, size: statSync(p).size });
const folder = (d: string) => readdirSync(path.join(CT, d)).map((f) => input(path.join(CT, d, f)));
// The GE series' uniform block (08–14, 4 mm apart): the whole series changes spacing and is refused.
const geBlock = () => folder("dicom-series-ge-gantry-tilt").filter((f) => /\/(0[89]|1[0-4])\.dcm$/.test(f.path));

async function one(files: { path: string; size: number }[]): Promise<IndexedVolume> {
  const { volumes, problems } = await indexFiles(files);
  expect(problems).toEqual([]);
  expect(volumes).toHaveLength(1);
  return volumes[0];
}

function expectAgrees(v: IndexedVolume, ref: { dims: number[]; spacing: number[]; orientation: string; affine: number[][]; huMin: number; huMax: number; huP1: number; huP99: number; huMean: number }) {
  expect(v.dims).toEqual(ref.dims);
  v.spacing.forEach((s, i) => expect(s).toBeCloseTo(ref.spacing[i], 4));
  expect(v.orientation).toBe(ref.orientation);
  v.affine.forEach((row, r) => row.forEach((x, c) => expect(x).toBeCloseTo(ref.affine[r][c], 4)));
  expect([v.huMin, v.huMax, v.huP1, v.huP99]).toEqual([ref.huMin, ref.huMax, ref.huP1, ref.huP99]);
  expect(v.huMean).toBeCloseTo(ref.huMean, 3);
}

describe("NIfTI indexing agrees with nibabel", () => {
  for (const f of ["example_ct.nii.gz", "example_ct_sm.nii.gz", "example_ct_heart_crop_lps.nii.gz"]) {
    it(f, async () => {
      const v = await one([input(path.join(CT, f))]);
      expectAgrees(v, oracle("nifti", path.join(CT, f)));
      expect(v.looksLikeHu).toBe(true);
      expect(v.voxelHash).toMatch(/^[0-9a-f]{64}$/);
    });
  }

  it("reads the orientation the file states: the heart crop is LPS, the abdomen RAS", async () => {
    expect((await one([input(path.join(CT, "example_ct_heart_crop_lps.nii.gz"))])).orientation).toBe("LPS");
    expect((await one([input(path.join(CT, "example_ct.nii.gz"))])).orientation).toBe("RAS");
  });
});

describe("DICOM series indexing agrees with pydicom", () => {
  // The tilted GE series is resampled to an orthogonal grid, which this oracle does not do: dcm2niix-geometry.test.ts
  // compares it with dcm2niix's tilt correction.
  const series = {
    "dicom-series-philips-phantom-axial": { kernel: "UB", manufacturer: "Philips", warnings: 0 },
    "dicom-series-siemens-petct-j2k": { kernel: "Br38f 3", manufacturer: "SIEMENS", warnings: 0 },
  };
  for (const [dir, want] of Object.entries(series)) {
    it(dir, async () => {
      const out = path.join(tmp, `${dir}.nii`);
      const ref = oracle("dicom", path.join(CT, dir), out);
      const v = await one(folder(dir));
      expectAgrees(v, ref);
      // Slices in the order pydicom's position sort gives, not file-name order (both samples sort wrongly as text).
      expect(v.files.map((f) => path.basename(f))).toEqual(ref.files);
      expect(v.tags?.kernel).toBe(want.kernel);
      expect(v.tags?.manufacturer).toBe(want.manufacturer);
      expect(v.tags?.kvp).toBe(120);
      expect(v.warnings).toHaveLength(want.warnings);
      // The same voxels written by nibabel as float32 NIfTI (RAS affine) hash as the DICOM series does.
      const asNifti = await one([input(out)]);
      expect(asNifti.voxelHash).toBe(v.voxelHash);
    }, 60_000);
  }

  it("keeps the tags a dataset is judged by, and the identifiers for leakage checks", async () => {
    const ge = await one(geBlock());
    expect(ge.tags).toMatchObject({ modality: "CT", bodyPart: "HEAD", model: "HiSpeed Dual", kernel: "STD+", kvp: 120, patientIdentityRemoved: true, patientId: "QMNx85rKkkg" });
    expect(ge.deidentified).toBe(true);
    expect(ge.warnings).toEqual([expect.stringMatching(/^gantry tilt of 18\.5°/)]);
    const siemens = await one(folder("dicom-series-siemens-petct-j2k"));
    expect(siemens.tags).toMatchObject({ contrastAgent: "APPLIED", seriesUid: null, patientIdentityRemoved: null });
  });

  it("groups a mixed batch into one volume per series and one per NIfTI file", async () => {
    const { volumes, problems } = await indexFiles([...folder("dicom-series-philips-phantom-axial"), input(path.join(CT, "example_ct_sm.nii.gz")), ...geBlock()]);
    expect(problems).toEqual([]);
    expect(volumes.map((v) => [v.format, v.files.length]).sort()).toEqual([["dicom", 10], ["dicom", 7], ["nifti1", 1]]);
  });
});

describe("the voxel hash", () => {
  it("is the same however the volume is stored, and differs when one voxel changes", async () => {
    const src = path.join(CT, "example_ct_heart_crop_lps.nii.gz");
    const base = await one([input(src)]);
    const made = oracle("variants", src, tmp) as Record<string, string>;
    for (const k of ["plain", "nifti2_float32", "flipped", "transposed"]) {
      const v = await one([input(made[k])]);
      expect({ k, hash: v.voxelHash }).toEqual({ k, hash: base.voxelHash });
    }
    expect((await one([input(made.nifti2_float32)])).format).toBe("nifti2");
    expect((await one([input(made.flipped)])).orientation).toBe("RAI"); // every axis reversed, the slice order too
    expect((await one([input(made.changed)])).voxelHash).not.toBe(base.voxelHash);
  });
});

describe("the clean NIfTI export (viewer and downloads)", () => {
  it("a download cancelled after its first bytes closes the source file (no descriptor left open)", async () => {
    const fds = () => readdirSync("/proc/self/fd").length;
    const v = await one([input(path.join(CT, "example_ct.nii.gz"))]);
    const before = fds();
    for (let i = 0; i < 5; i++) {
      const out = exportNifti({ format: v.format, files: v.files, dims: v.dims, spacing: v.spacing, affine: v.affine }, "int16");
      await new Promise<void>((resolve) => out.once("data", () => resolve()));
      out.destroy();
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(fds()).toBe(before);
  });

  const exported = async (v: IndexedVolume, name: string) => {
    const out = path.join(tmp, name);
    const datatype = exportType({ datatype: v.datatype, huMin: v.huMin, huMax: v.huMax, slopeIntegral: true });
    await pipeline(exportNifti({ format: v.format, files: v.files, dims: v.dims, spacing: v.spacing, affine: v.affine }, datatype), createWriteStream(out));
    return out;
  };

  it("keeps every voxel and the geometry, for NIfTI (RAS and LPS) and DICOM (JPEG 2000 and tilted), and carries no header text", async () => {
    for (const files of [[input(path.join(CT, "example_ct.nii.gz"))], [input(path.join(CT, "example_ct_heart_crop_lps.nii.gz"))], folder("dicom-series-siemens-petct-j2k"), geBlock()]) {
      const v = await one(files);
      const out = await exported(v, `export-${v.voxelHash.slice(0, 8)}.nii.gz`);
      const again = await one([input(out)]);
      expect(again.voxelHash).toBe(v.voxelHash);
      expect(again.datatype).toBe("int16");
      expectAgrees(again, { ...oracle("nifti", out), huMean: v.huMean! });
      again.affine.forEach((row, r) => row.forEach((x, c) => expect(x).toBeCloseTo(v.affine[r][c], 4)));
      // descrip, aux_file and intent_name are empty; no extension follows the header.
      const head = gunzipSync(readFileSync(out)).subarray(0, 352);
      expect(head.subarray(148, 148 + 80 + 24).every((b) => b === 0)).toBe(true);
      expect(head.subarray(328, 344).every((b) => b === 0)).toBe(true);
      expect(head.readUInt8(348)).toBe(0);
    }
  }, 60_000);
});

describe("previews", () => {
  it("the planes-only pass for a cold preview gives exactly the planes indexing keeps", async () => {
    for (const f of ["example_ct.nii.gz", "example_ct_heart_crop_lps.nii.gz", "example_ct_sm.nii.gz"]) {
      const v = await one([input(path.join(CT, f))]);
      const cold = await niftiPlanes(path.join(CT, f));
      expect(cold.serialize().equals(v.planes.serialize()), f).toBe(true);
    }
  });

  it("shows the patient's right on the image's left and anterior up in the axial view, whatever the storage order", async () => {
    // The same heart CT stored LPS and flipped on every axis (RAI): the axial previews must be identical pixels.
    const src = path.join(CT, "example_ct_heart_crop_lps.nii.gz");
    const made = oracle("variants", src, tmp) as Record<string, string>;
    const a = (await one([input(src)])).planes.render("soft");
    const b = (await one([input(made.flipped)])).planes.render("soft");
    const c = (await one([input(made.transposed)])).planes.render("soft");
    expect(a.axial.equals(b.axial)).toBe(true);
    expect(a.axial.equals(c.axial)).toBe(true);
    expect(a.coronal.equals(c.coronal)).toBe(true);
  });
});

describe("NIfTI without a qform or sform", () => {
  it("gets the affine nibabel assumes (x flipped, origin at the centre)", async () => {
    const raw = gunzipSync(readFileSync(path.join(CT, "example_ct_sm.nii.gz")));
    raw.writeInt16LE(0, 252); // qform_code
    raw.writeInt16LE(0, 254); // sform_code
    const file = path.join(tmp, "no-transform.nii");
    writeFileSync(file, raw);
    const v = await one([input(file)]);
    expectAgrees(v, oracle("nifti", file));
    expect(v.orientation).toBe("LAS");
  });
});
