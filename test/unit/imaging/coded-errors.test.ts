// Every way indexing can fail ends as a coded error with a sentence a person can read: fast-check generates DICOM
// files (elements of the tags indexing reads, with any VR, length and value, any transfer syntax, cut anywhere) and
// NIfTI headers (any dims, datatype, spacing, offsets, transforms, scaling, gzip or not), and every problem that comes
// back must carry a known code and a message with none of a runtime exception's words.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { asImagingError, IMAGING_ERROR_CODES, ImagingError } from "../../../lib/imaging/imaging-error";
import { indexFiles } from "../../../lib/imaging/index-files";
import { dicomElement, dicomSlice } from "../../support/hostile-files";

const CT = path.resolve(import.meta.dirname, "../../fixtures/ct");
const tmp = mkdtempSync(path.join(os.tmpdir(), "hounsfield-coded-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** What a runtime exception or a library's internals say, which a person can do nothing with. */
const MACHINE_WORDS = /is not a function|is not defined|undefined|null\b|NaN|\[object|TypeError|RangeError|ReferenceError|Cannot read|dicomParser|ERR_|zlib|incorrect header|unexpected end|wasm|abort|exception|IOException|readUint|byteArray|stack/i;

function expectCoded(problems: { file: string; error: ImagingError }[]) {
  for (const { error } of problems) {
    expect(IMAGING_ERROR_CODES).toContain(error.code);
    expect(error.message).toMatch(/^[a-z0-9(]/i);
    expect(error.message.length).toBeGreaterThan(10);
    expect(error.message).not.toMatch(MACHINE_WORDS);
  }
}

let n = 0;
async function indexBytes(files: { bytes: Buffer; ext: string }[]) {
  const inputs = files.map(({ bytes, ext }) => {
    const p = path.join(tmp, `g${n++}${ext}`);
    writeFileSync(p, bytes);
    return { path: p, size: statSync(p).size };
  });
  const { volumes, problems } = await indexFiles(inputs);
  expect(volumes.length + new Set(problems.map((p) => p.file)).size).toBe(inputs.length); // every file has an outcome
  expectCoded(problems);
  for (const i of inputs) rmSync(i.path);
}

const SYNTAXES = ["1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.1.99", "1.2.840.10008.1.2.2", "1.2.840.10008.1.2.5", "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70", "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81", "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.100", "", "x"];
/** The tags indexing reads (and the pixel data), with the VRs they may come with. */
const TAGS: [number, number][] = [[0x0008, 0x0008], [0x0008, 0x0016], [0x0008, 0x0060], [0x0018, 0x0050], [0x0018, 0x0088], [0x0020, 0x000e], [0x0020, 0x0013], [0x0020, 0x0032], [0x0020, 0x0037], [0x0028, 0x0002], [0x0028, 0x0008], [0x0028, 0x0010], [0x0028, 0x0011], [0x0028, 0x0030], [0x0028, 0x0100], [0x0028, 0x0101], [0x0028, 0x0103], [0x0028, 0x0120], [0x0028, 0x1052], [0x0028, 0x1053], [0x7fe0, 0x0010]];
const VRS = ["US", "SS", "DS", "IS", "CS", "UI", "OB", "OW", "SQ", "UN", "LO", "ZZ"];

const arbElement = fc.record({
  tag: fc.constantFrom(...TAGS),
  vr: fc.constantFrom(...VRS),
  value: fc.oneof(
    fc.uint8Array({ maxLength: 48 }).map((b) => Buffer.from(b)),
    fc.array(fc.oneof(fc.double({ noNaN: false }), fc.integer({ min: -70000, max: 70000 })), { minLength: 1, maxLength: 6 }).map((xs) => Buffer.from(xs.join("\\"), "latin1")),
    fc.integer({ min: 0, max: 65535 }).map((v) => Buffer.from(Uint16Array.of(v).buffer)),
  ),
});

const arbDicom = fc.record({
  syntax: fc.constantFrom(...SYNTAXES),
  elements: fc.array(arbElement, { maxLength: 8 }),
  rows: fc.constantFrom(0, 1, 8, 64, 65535),
  columns: fc.constantFrom(0, 1, 8, 64),
  cut: fc.option(fc.integer({ min: 0, max: 2000 })),
  flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
});

type GeneratedDicom = typeof arbDicom extends fc.Arbitrary<infer T> ? T : never;

function dicomFile(d: GeneratedDicom) {
  const base = dicomSlice({ series: "1.2.826.0.1.3680043.8.498.4242", instance: 0, z: 0, rows: d.rows, columns: d.columns, pixels: Buffer.alloc(Math.min(d.rows * d.columns * 2, 4096)), syntax: d.syntax || undefined });
  // Generated elements go before the pixel data, where a reader meets them.
  const pixels = base.lastIndexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00]));
  const extra = d.elements.map((e) => {
    const value = e.value.length % 2 ? Buffer.concat([e.value, Buffer.from(" ")]) : e.value;
    return dicomElement(e.tag[0], e.tag[1], e.vr, value.subarray(0, 0xfffe));
  });
  let bytes = Buffer.concat([base.subarray(0, pixels), ...extra, base.subarray(pixels)]);
  for (const [at, v] of d.flips) bytes[132 + (at % Math.max(1, bytes.length - 132))] = v;
  if (d.cut !== null) bytes = bytes.subarray(0, Math.min(bytes.length, 132 + d.cut));
  return bytes;
}

describe("every failure is a coded error with a sentence", () => {
  it("generated DICOM files (elements, syntaxes, cuts and flipped bytes)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(arbDicom, { minLength: 1, maxLength: 4 }), async (files) => {
        await indexBytes(files.map((d) => ({ bytes: dicomFile(d), ext: ".dcm" })));
      }),
      { numRuns: 150 },
    );
  }, 300_000);

  const header = gunzipSync(readFileSync(path.join(CT, "example_ct_sm.nii.gz"))).subarray(0, 352);
  const arbNifti = fc.record({
    dims: fc.array(fc.integer({ min: -3, max: 70000 }), { minLength: 8, maxLength: 8 }),
    datatype: fc.constantFrom(0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 768, 1024, 2304, 9999),
    pixdim: fc.array(fc.oneof(fc.float(), fc.constantFrom(0, -1, Number.NaN, Infinity, 1e30)), { minLength: 8, maxLength: 8 }),
    voxOffset: fc.oneof(fc.float(), fc.constantFrom(0, 352, 1e12, Number.NaN)),
    scl: fc.tuple(fc.float(), fc.float()),
    codes: fc.tuple(fc.integer({ min: -1, max: 5 }), fc.integer({ min: -1, max: 5 })),
    srow: fc.array(fc.float(), { minLength: 12, maxLength: 12 }),
    quatern: fc.array(fc.float(), { minLength: 6, maxLength: 6 }),
    data: fc.integer({ min: 0, max: 20000 }),
    gzip: fc.boolean(),
  });

  it("generated NIfTI headers (dims, datatypes, spacing, offsets, transforms, scaling)", async () => {
    await fc.assert(
      fc.asyncProperty(arbNifti, async (h) => {
        const b = Buffer.from(header);
        h.dims.forEach((d, i) => b.writeInt16LE(Math.max(-32768, Math.min(32767, d)), 40 + 2 * i));
        b.writeInt16LE(h.datatype, 70);
        h.pixdim.forEach((p, i) => b.writeFloatLE(p, 76 + 4 * i));
        b.writeFloatLE(h.voxOffset, 108);
        b.writeFloatLE(h.scl[0], 112);
        b.writeFloatLE(h.scl[1], 116);
        b.writeInt16LE(h.codes[0], 252);
        b.writeInt16LE(h.codes[1], 254);
        h.quatern.forEach((q, i) => b.writeFloatLE(q, 256 + 4 * i));
        h.srow.forEach((s, i) => b.writeFloatLE(s, 280 + 4 * i));
        const bytes = Buffer.concat([b, Buffer.alloc(h.data, 7)]);
        await indexBytes([{ bytes: h.gzip ? gzipSync(bytes) : bytes, ext: h.gzip ? ".nii.gz" : ".nii" }]);
      }),
      { numRuns: 150 },
    );
  }, 300_000);

  it("something no reader foresaw keeps its own words only as the cause", () => {
    const e = asImagingError(new TypeError("i.copy is not a function"));
    expect(e.code).toBe("unreadable");
    expect(e.message).not.toMatch(MACHINE_WORDS);
    expect((e.cause as Error).message).toBe("i.copy is not a function");
  });
});
