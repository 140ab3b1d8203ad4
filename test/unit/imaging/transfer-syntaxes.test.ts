// Every transfer syntax a hospital sends, made by dcmtk from the real series in test/fixtures/ct: a lossless variant
// must index to exactly the native series' voxel hash (the hash is storage-independent, so any decoding error shows);
// a lossy one to the hash of dcmtk's own decoding of the same files. Syntaxes that are not decoded are refused by
// UID and name.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { indexFiles, type IndexedVolume } from "../../../lib/imaging/index-files";
import { convertAll, LOSSLESS, LOSSY, withoutPreamble } from "../../support/dcmtk";
import { dicomSlice } from "../../support/hostile-files";

const CT = path.resolve(import.meta.dirname, "../../fixtures/ct");
const tmp = mkdtempSync(path.join(os.tmpdir(), "hounsfield-syntaxes-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const folder = (d: string) => readdirSync(d).map((f) => ({ path: path.join(d, f), size: statSync(path.join(d, f)).size }));
const syntaxOf = (file: string) => execFileSync("dcmdump", ["+P", "0002,0010", file], { encoding: "utf8" });

async function one(dir: string): Promise<IndexedVolume> {
  const { volumes, problems } = await indexFiles(folder(dir));
  expect(problems.map((p) => `${p.error.code}: ${p.error.message}`)).toEqual([]);
  expect(volumes).toHaveLength(1);
  return volumes[0];
}

// Unsigned 12-bit (Philips phantom, 10 slices) and signed 16-bit with padding (GE head, three slices of its block).
const SOURCES = {
  philips: { dir: path.join(CT, "dicom-series-philips-phantom-axial"), files: null as string[] | null },
  ge: { dir: path.join(CT, "dicom-series-ge-gantry-tilt"), files: ["08.dcm", "09.dcm", "10.dcm"] },
};

const native: Record<string, { dir: string; volume: IndexedVolume }> = {};

beforeAll(async () => {
  for (const [name, s] of Object.entries(SOURCES)) {
    const dir = path.join(tmp, name, "native");
    mkdirSync(dir, { recursive: true });
    for (const f of s.files ?? readdirSync(s.dir)) copyFileSync(path.join(s.dir, f), path.join(dir, f));
    native[name] = { dir, volume: await one(dir) };
  }
}, 120_000);

describe("lossless transfer syntaxes made by dcmtk index to the native series' voxel hash", () => {
  for (const name of Object.keys(SOURCES)) {
    for (const [variant, command] of Object.entries(LOSSLESS)) {
      it(`${name}: ${variant} (${command.join(" ")})`, async () => {
        const out = await convertAll(native[name].dir, path.join(tmp, name, variant), command);
        const v = await one(out);
        const ref = native[name].volume;
        expect({ hash: v.voxelHash, dims: v.dims, affine: v.affine, hu: [v.huMin, v.huMax, v.huP1, v.huP99] }).toEqual({ hash: ref.voxelHash, dims: ref.dims, affine: ref.affine, hu: [ref.huMin, ref.huMax, ref.huP1, ref.huP99] });
      }, 120_000);
    }

    it(`${name}: a meta header without the 128-byte preamble`, async () => {
      const v = await one(withoutPreamble(native[name].dir, path.join(tmp, name, "no-preamble")));
      expect(v.voxelHash).toBe(native[name].volume.voxelHash);
    }, 60_000);
  }

  it("the variants really are the syntaxes they are named for", async () => {
    const dir = path.join(tmp, "philips");
    const first = (variant: string) => syntaxOf(path.join(dir, variant, readdirSync(path.join(dir, variant))[0]));
    expect(first("jpeg-lossless-sv1")).toMatch(/JPEGLossless:Non-hierarchical-1stOrderPrediction/);
    expect(first("jpeg-lossless-p14-sv4")).toMatch(/JPEGLossless:Non-hierarchical:Process14/);
    expect(first("jpeg-ls-lossless")).toMatch(/JPEGLSLossless/);
    expect(first("rle")).toMatch(/RLELossless/);
    expect(first("deflated")).toMatch(/DeflatedLittleEndianExplicit/);
    expect(first("big-endian")).toMatch(/BigEndianExplicit/);
  });
});

describe("lossy transfer syntaxes index to dcmtk's own decoding of the same files", () => {
  const cases: [string, string][] = [["philips", "jpeg-baseline"], ["ge", "jpeg-baseline"], ["philips", "jpeg-ls-near-lossless"]];
  for (const [name, variant] of cases) {
    it(`${name}: ${variant}`, async () => {
      const { make, decode } = LOSSY[variant];
      const lossy = await convertAll(native[name].dir, path.join(tmp, name, variant), make);
      const decoded = await convertAll(lossy, path.join(tmp, name, `${variant}-dcmtk-decoded`), [decode]);
      const v = await one(lossy);
      expect(v.voxelHash).toBe((await one(decoded)).voxelHash);
      expect(v.voxelHash).not.toBe(native[name].volume.voxelHash); // it is lossy: the comparison above is not trivial
    }, 120_000);
  }

  it("JPEG extended (process 2 & 4) with 8-bit samples", async () => {
    const eight = await convertAll(await convertAll(native.philips.dir, path.join(tmp, "ext8", "baseline"), ["dcmcjpeg", "+eb"]), path.join(tmp, "ext8", "native-8bit"), ["dcmdjpeg"]);
    const extended = await convertAll(eight, path.join(tmp, "ext8", "extended"), ["dcmcjpeg", "+ee"]);
    expect(syntaxOf(path.join(extended, readdirSync(extended)[0]))).toMatch(/JPEGExtended:Process2\+4/);
    const decoded = await convertAll(extended, path.join(tmp, "ext8", "decoded"), ["dcmdjpeg"]);
    expect((await one(extended)).voxelHash).toBe((await one(decoded)).voxelHash);
  }, 120_000);

  it("12-bit lossy JPEG is refused with its reason, file by file", async () => {
    const out = await convertAll(native.philips.dir, path.join(tmp, "philips", "jpeg-extended-12"), ["dcmcjpeg", "+ee"]);
    const { volumes, problems } = await indexFiles(folder(out));
    expect(volumes).toEqual([]);
    expect(problems).toHaveLength(10);
    for (const p of problems) expect(p.error).toMatchObject({ code: "unsupported", message: expect.stringMatching(/^12-bit lossy JPEG \(JPEG Extended \(Process 2 & 4\) with 12-bit samples\) is not decoded here/) });
  }, 120_000);
});

describe("syntaxes that are not decoded", () => {
  const refused = async (syntax: string) => {
    const file = path.join(tmp, `refused-${syntax}.dcm`);
    writeFileSync(file, dicomSlice({ series: "1.2.826.0.1.3680043.8.498.7001", instance: 0, z: 0, rows: 8, columns: 8, syntax }));
    const { volumes, problems } = await indexFiles(folder(path.dirname(file)).filter((f) => f.path === file));
    expect(volumes).toEqual([]);
    return problems[0].error;
  };

  it("video, JPEG XL and HTJ2K are named", async () => {
    expect(await refused("1.2.840.10008.1.2.4.100")).toMatchObject({ code: "unsupported", message: "unsupported transfer syntax 1.2.840.10008.1.2.4.100 (MPEG2 Main Profile / Main Level)" });
    expect(await refused("1.2.840.10008.1.2.4.112")).toMatchObject({ code: "unsupported", message: "unsupported transfer syntax 1.2.840.10008.1.2.4.112 (JPEG XL)" });
    expect(await refused("1.2.840.10008.1.2.4.201")).toMatchObject({ code: "unsupported", message: "unsupported transfer syntax 1.2.840.10008.1.2.4.201 (High-Throughput JPEG 2000 (Lossless Only))" });
  });

  it("a UID nobody defined says so", async () => {
    expect(await refused("1.2.3.4.5")).toMatchObject({ code: "unsupported", message: "unsupported transfer syntax 1.2.3.4.5 (not a transfer syntax DICOM defines)" });
  });
});
