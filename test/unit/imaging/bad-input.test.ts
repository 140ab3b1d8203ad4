// Files an indexer meets in the wild: each is reported with a reason a person can act on, and the rest of the
// batch is indexed. Every case starts from a real CT file and breaks one thing.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import dicomParser from "dicom-parser";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { ImagingError } from "../../../lib/imaging/imaging-error";
import { indexFiles } from "../../../lib/imaging/index-files";
import { parseNiftiHeader } from "../../../lib/imaging/nifti";

const CT = path.resolve(import.meta.dirname, "../../fixtures/ct");
const tmp = mkdtempSync(path.join(os.tmpdir(), "hounsfield-bad-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const input = (p: string) => ({ path: p, size: statSync(p).size });
const raw = () => gunzipSync(readFileSync(path.join(CT, "example_ct_sm.nii.gz")));
let n = 0;
function write(bytes: Buffer, name = `f${n++}.nii.gz`) {
  const p = path.join(tmp, name);
  writeFileSync(p, bytes);
  return p;
}

async function problemOf(file: string) {
  const good = path.join(CT, "example_ct_sm.nii.gz");
  const { volumes, problems } = await indexFiles([input(file), input(good)]);
  // The good file beside it is always indexed.
  expect(volumes.map((v) => v.files[0])).toEqual([good]);
  expect(problems).toHaveLength(1);
  expect(problems[0].file).toBe(file);
  return problems[0].error;
}

describe("bad NIfTI files are reported, the batch goes on", () => {
  it("a truncated .nii.gz", async () => {
    const gz = readFileSync(path.join(CT, "example_ct_sm.nii.gz"));
    const e = await problemOf(write(gz.subarray(0, gz.length >> 1)));
    expect(e.code).toBe("truncated");
    expect(e.message).toMatch(/ends after \d+ of 739672 bytes/); // 352 header bytes + 122·101·30 int16 voxels
  });

  it("a wrong magic", async () => {
    const b = raw();
    b.write("abc\0", 344, "latin1");
    expect((await problemOf(write(gzipSync(b))))).toMatchObject({ code: "not_a_volume", message: expect.stringMatching(/magic/) });
  });

  it("zero and negative spacing", async () => {
    const zero = raw();
    zero.writeFloatLE(0, 76 + 4);
    expect(await problemOf(write(gzipSync(zero)))).toMatchObject({ code: "bad_geometry", message: expect.stringMatching(/spacing 1 is 0 mm/) });
    const negative = raw();
    negative.writeFloatLE(-3, 76 + 8);
    expect(await problemOf(write(gzipSync(negative)))).toMatchObject({ code: "bad_geometry", message: expect.stringMatching(/spacing 2 is -3 mm/) });
  });

  it("a 4D volume", async () => {
    const b = raw();
    b.writeInt16LE(4, 40);
    b.writeInt16LE(2, 48);
    expect(await problemOf(write(gzipSync(b)))).toMatchObject({ code: "unsupported", message: expect.stringMatching(/4D volume \(122×101×30×2\)/) });
  });

  it("more than 4,096 voxels on an axis", async () => {
    const b = raw();
    b.writeInt16LE(5000, 46);
    expect(await problemOf(write(gzipSync(b)))).toMatchObject({ code: "too_large", message: expect.stringMatching(/dimension 3 is 5000 voxels/) });
  });

  it("an implausible vox_offset (huge, not finite) is refused before any inflating", async () => {
    for (const v of [1e30, Number.NaN, Number.POSITIVE_INFINITY]) {
      const b = raw();
      b.writeFloatLE(v, 108);
      const bomb = Buffer.concat([gzipSync(b), gzipSync(Buffer.alloc(64 * 2 ** 20))]);
      expect(await problemOf(write(bomb))).toMatchObject({ code: "bad_geometry", message: expect.stringMatching(/vox_offset/) });
    }
  });

  it("a 0-byte file", async () => {
    expect(await problemOf(write(Buffer.alloc(0)))).toMatchObject({ code: "empty" });
  });

  it("a .gz that inflates far past its header's size stops there", async () => {
    // A valid header and volume, then 200 MB of zeros (about 200 KB compressed).
    const bomb = Buffer.concat([gzipSync(raw()), gzipSync(Buffer.alloc(200 * 2 ** 20))]);
    // inflation_limit is only reported by stopping early, 1 MiB past the declared end, not after all 200 MB.
    expect(await problemOf(write(bomb))).toMatchObject({ code: "inflation_limit" });
  });

  it("any header bytes at all give an ImagingError, never a crash", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 600 }), fc.boolean(), (bytes, magic) => {
        const b = Buffer.from(bytes);
        if (magic && b.length >= 348) {
          b.writeInt32LE(348, 0);
          b.write("n+1\0", 344, "latin1");
        }
        try {
          parseNiftiHeader(b, false);
        } catch (e) {
          expect(e).toBeInstanceOf(ImagingError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

/** A copy of a real series with some files changed or left out. */
function series(name: string, change: (file: string, bytes: Buffer) => Buffer | null) {
  const src = path.join(CT, "dicom-series-philips-phantom-axial");
  const dir = path.join(tmp, name);
  mkdirSync(dir);
  for (const f of readdirSync(src)) {
    const out = change(f, readFileSync(path.join(src, f)));
    if (out) writeFileSync(path.join(dir, f), out);
  }
  return readdirSync(dir).map((f) => input(path.join(dir, f)));
}

/** Overwrites a string element in place (same length), as a de-identifier or a broken exporter might. */
function patch(bytes: Buffer, tag: string, value: string) {
  const el = dicomParser.parseDicom(new Uint8Array(bytes), { untilTag: "x7fe00010" }).elements[tag];
  expect(value.length).toBe(el.length);
  const out = Buffer.from(bytes);
  out.write(value, el.dataOffset, "latin1");
  return out;
}

describe("bad DICOM series", () => {
  it("a non-CT image in a CT series is set aside; the series is indexed without it", async () => {
    const files = series("non-ct", (f, b) => (f === "I100" ? patch(b, "x00080060", "MR") : b));
    const { volumes, problems } = await indexFiles(files);
    expect(problems.map((p) => [path.basename(p.file), p.error.code])).toEqual([["I100", "not_ct"]]);
    expect(volumes).toHaveLength(1);
    expect(volumes[0].dims).toEqual([512, 512, 9]);
  });

  it("missing slices fail the series, naming where", async () => {
    const files = series("missing", (f, b) => (f === "I50" || f === "I60" ? null : b));
    const { volumes, problems } = await indexFiles(files);
    expect(volumes).toEqual([]);
    expect(problems).toHaveLength(8);
    expect(problems[0].error.code).toBe("missing_slices");
    expect(problems[0].error.message).toMatch(/about 2 slice\(s\) missing between I40 and I70 \(a 15\.00 mm gap where slices are 5\.00 mm apart\)/);
  });

  it("slices whose spacing changes fail the series, naming where", async () => {
    const files = series("uneven", (f, b) => (f === "I100" ? patch(b, "x00200032", "-115.5\\-1.85\\744.21 ") : b));
    const { volumes, problems } = await indexFiles(files);
    expect(volumes).toEqual([]);
    expect(problems[0].error).toMatchObject({ code: "series_inconsistent", message: "slice spacing is not uniform: slices are 5.00 mm apart, but I90 to I100 is 8.00 mm (spacing from 5.00 to 8.00 mm): one volume needs one spacing" });
  });

  it("mixed orientations in one series", async () => {
    const files = series("mixed", (f, b) => (f === "I30" ? patch(b, "x00200037", "0\\1\\0\\0\\0\\1 ") : b));
    const { volumes, problems } = await indexFiles(files);
    expect(volumes).toEqual([]);
    expect(new Set(problems.map((p) => p.error.code))).toEqual(new Set(["series_inconsistent"]));
    expect(problems[0].error.message).toMatch(/^mixed orientations in one series: I\d+ is 1\\0\\0\\0\\1\\0, I30 is 0\\1\\0\\0\\0\\1$/);
  });

  it("a slice cut short fails its series with the reason; another series in the batch is indexed", async () => {
    const files = series("cut", (f, b) => (f === "I40" ? b.subarray(0, b.length - 100_000) : b));
    const ge = ["08", "09", "10", "11", "12", "13", "14"].map((f) => input(path.join(CT, "dicom-series-ge-gantry-tilt", `${f}.dcm`)));
    const { volumes, problems } = await indexFiles([...files, ...ge]);
    expect(volumes.map((v) => v.tags?.manufacturer)).toEqual(["GE MEDICAL SYSTEMS"]);
    expect(problems).toHaveLength(10);
    expect(problems[0].error.code).toBe("truncated");
  });

  it("a file that is neither NIfTI nor DICOM", async () => {
    const p = path.join(tmp, "notes.txt");
    writeFileSync(p, "x".repeat(1000));
    copyFileSync(path.join(CT, "CT_small.dcm"), path.join(tmp, "slice"));
    const { volumes, problems } = await indexFiles([input(p), input(path.join(tmp, "slice"))]);
    expect(problems.map((x) => x.error.code)).toEqual(["not_a_volume"]);
    expect(volumes[0].dims).toEqual([128, 128, 1]); // a DICOM without an extension is found by its preamble
  });
});
