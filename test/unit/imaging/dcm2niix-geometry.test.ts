// The field's converter as the oracle for geometry: every real series is converted by Debian's dcm2niix and by the
// indexer's own NIfTI export, and nibabel reads both (in its closest canonical layout): dims, affine and voxels must
// agree, the gantry-tilted series after dcm2niix's tilt correction. Where the indexer chooses differently from
// dcm2niix, the test says so and why.
import { execFileSync } from "node:child_process";
import { copyFileSync, createWriteStream, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { afterAll, describe, expect, it } from "vitest";
import { exportNifti, exportType } from "../../../lib/imaging/export-nifti";
import { indexFiles, type IndexedVolume } from "../../../lib/imaging/index-files";

const CT = path.resolve(import.meta.dirname, "../../fixtures/ct");
const ORACLE = path.resolve(import.meta.dirname, "../../support/imaging_oracle.py");
const PYTHON = process.env.HOUNSFIELD_PYTHON ?? "/usr/bin/python3";
const TRAINER = path.resolve(import.meta.dirname, "../../../workers/trainer");
const tmp = mkdtempSync(path.join(os.tmpdir(), "hounsfield-dcm2niix-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const oracle = (...args: string[]) => JSON.parse(execFileSync(PYTHON, [ORACLE, ...args], { encoding: "utf8", maxBuffer: 1 << 26 }));
const inputs = (dir: string) => readdirSync(dir).map((f) => ({ path: path.join(dir, f), size: statSync(path.join(dir, f)).size }));

/** A folder of the series' files (all, or those named). */
function series(name: string, files?: string[]) {
  const dir = path.join(tmp, `${name}-${files ? files.length : "all"}`, "in");
  mkdirSync(dir, { recursive: true });
  for (const f of files ?? readdirSync(path.join(CT, name))) copyFileSync(path.join(CT, name, f), path.join(dir, f));
  return dir;
}

/** dcm2niix's conversion of a folder: its NIfTI files by name, and what it said. */
function dcm2niix(dir: string) {
  const out = path.join(path.dirname(dir), "dcm2niix");
  mkdirSync(out, { recursive: true });
  const log = execFileSync("dcm2niix", ["-z", "n", "-b", "n", "-f", "series", "-o", out, dir], { encoding: "utf8" });
  return { files: readdirSync(out).filter((f) => f.endsWith(".nii")).map((f) => path.join(out, f)), log };
}

async function indexAndExport(dir: string) {
  const { volumes, problems } = await indexFiles(inputs(dir));
  expect(problems.map((p) => p.error.message)).toEqual([]);
  const v: IndexedVolume = volumes[0];
  const out = path.join(path.dirname(dir), "ours.nii.gz");
  const datatype = exportType({ datatype: v.datatype, huMin: v.huMin, huMax: v.huMax, slopeIntegral: true });
  await pipeline(exportNifti({ format: "dicom", files: v.files, dims: v.dims, spacing: v.spacing, affine: v.affine }, datatype), createWriteStream(out));
  return { v, out };
}

function expectSameGeometry(c: { shapes: number[][]; affines: number[][][] }) {
  expect(c.shapes[0]).toEqual(c.shapes[1]);
  c.affines[0].forEach((row, r) => row.forEach((x, k) => expect(x).toBeCloseTo(c.affines[1][r][k], 3)));
}

describe("geometry and voxels agree with dcm2niix (read by nibabel)", () => {
  for (const name of ["dicom-series-philips-phantom-axial", "dicom-series-siemens-petct-j2k"]) {
    it(`${name}: the same dims, affine and every voxel`, async () => {
      const dir = series(name);
      const { files } = dcm2niix(dir);
      expect(files).toHaveLength(1);
      const { out } = await indexAndExport(dir);
      const c = oracle("compare", out, files[0]);
      expectSameGeometry(c);
      expect(c.maxAbs).toBe(0);
    }, 120_000);
  }

  it("the gantry-tilted block (GE 08–14, 18.5°): dcm2niix's tilt-corrected grid, its dims and affine, and its voxels", async () => {
    const dir = series("dicom-series-ge-gantry-tilt", ["08.dcm", "09.dcm", "10.dcm", "11.dcm", "12.dcm", "13.dcm", "14.dcm"]);
    const { files, log } = dcm2niix(dir);
    expect(log).toMatch(/gantry tilt of 18\.5 degrees/);
    const tilted = files.find((f) => f.includes("_Tilt"))!;
    expect(tilted).toBeDefined();
    const { v, out } = await indexAndExport(dir);
    // One truth: the spacing the API shows is the affine's, and it is the distance between slices along their normal.
    expect(v.dims).toEqual([512, 529, 7]);
    v.spacing.forEach((s, i) => expect(s).toBeCloseTo([0.488281, 0.488281, 4.0019][i], 3));
    expect(v.warnings).toEqual([expect.stringMatching(/^gantry tilt of 18\.5°: resampled to an orthogonal grid as dcm2niix does \(512×512 slices became 512×529\)$/)]);
    const c = oracle("compare", out, tilted);
    expectSameGeometry(c);
    // dcm2niix takes each slice's shift from the GantryDetectorTilt tag in float32; the indexer from the slice
    // positions. They round differently where a value falls on .5 (at most 1 HU) and pick the other neighbour where a
    // shift lands on a half voxel next to padding: a few voxels in a million.
    expect(c.voxels).toBe(512 * 529 * 7);
    expect(c.differ / c.voxels).toBeLessThan(1e-3);
    expect(c.differByMoreThan1 / c.voxels).toBeLessThan(2e-5);
    expect(c.meanAbs).toBeLessThan(0.01);
    // The trainer reads this file (a DICOM series' train file is this export) with the manifest's geometry, which is
    // the indexed one: its own check (dims and the affine's voxel sizes) accepts it, and nibabel reads the same.
    const check = `import sys, json; sys.path.insert(0, ${JSON.stringify(TRAINER)})
from hounsfield_trainer.data import _load_source, _check_geometry
entry = {"geometry": json.loads(sys.argv[2])}
arr, ornt, zooms = _load_source(entry, sys.argv[1])
_check_geometry(entry, arr.shape, zooms)
print(json.dumps([list(arr.shape), [float(z) for z in zooms]]))`;
    const [shape, zooms] = JSON.parse(execFileSync(PYTHON, ["-c", check, out, JSON.stringify({ shape: v.dims, spacing: v.spacing, orientation: v.orientation })], { encoding: "utf8" }));
    expect(shape).toEqual(v.dims);
    zooms.forEach((z: number, i: number) => expect(z).toBeCloseTo(v.spacing[i], 4));
    expect(oracle("nifti", out).spacing.map((z: number) => +z.toFixed(4))).toEqual(v.spacing.map((z) => +z.toFixed(4)));
  }, 120_000);

  it("the whole GE series, 4 mm then 7 mm apart: dcm2niix interpolates even slices (its _Eq file); the indexer refuses, saying where", async () => {
    // Refused because one grid would invent slices between the two spacings, and two spacings in one series are
    // usually two reconstructions stacked: a volume that is neither.
    const dir = series("dicom-series-ge-gantry-tilt");
    const { files, log } = dcm2niix(dir);
    expect(log).toMatch(/Interslice distance varies/);
    expect(files.some((f) => f.includes("_Eq"))).toBe(true);
    const { volumes, problems } = await indexFiles(inputs(dir));
    expect(volumes).toEqual([]);
    expect(problems).toHaveLength(14);
    expect(problems[0].error).toMatchObject({ code: "series_inconsistent", message: "slice spacing is not uniform: slices are 4.00 mm apart, but 14.dcm to 15.dcm is 1.08 mm (spacing from 1.08 to 7.00 mm): one volume needs one spacing" });
  }, 120_000);
});

describe("a single slice's thickness", () => {
  const slice = (name: string, modify: string[]) => {
    const dir = path.join(tmp, name, "in");
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "slice.dcm");
    copyFileSync(path.join(CT, "CT_small.dcm"), file);
    execFileSync("dcmodify", ["-nb", ...modify, file]);
    return { dir, file };
  };

  it("is SpacingBetweenSlices when given, as dcm2niix and nibabel take it (both checked here), else SliceThickness", async () => {
    for (const [name, modify, want] of [
      ["both", ["-m", "(0018,0050)=3", "-m", "(0018,0088)=7"], 7],
      ["thickness-only", ["-m", "(0018,0050)=3", "-e", "(0018,0088)"], 3],
    ] as const) {
      const { dir, file } = slice(name, [...modify]);
      const { volumes } = await indexFiles(inputs(dir));
      const [converted] = dcm2niix(dir).files;
      const fromDcm2niix = oracle("compare", converted, converted).affines[0];
      expect({ name, ours: volumes[0].spacing[2] }).toEqual({ name, ours: want });
      expect(Math.hypot(fromDcm2niix[0][2], fromDcm2niix[1][2], fromDcm2niix[2][2])).toBeCloseTo(want, 4);
      expect(oracle("slice-spacing", file).voxelSizes[2]).toBeCloseTo(want, 4);
    }
  }, 60_000);
});
