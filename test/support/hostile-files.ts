// Files built to make an indexer work for nothing, each from a real CT file or a minimal valid one with one thing
// made to lie: what the tests (and bench:isolation) throw at ingestion. Each says the error code it must end with.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createWriteStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { createDeflateRaw, createGzip, gunzipSync } from "node:zlib";

const CT = path.resolve(import.meta.dirname, "../fixtures/ct");

export function dicomElement(group: number, el: number, vr: string, value: Buffer) {
  const long = ["OB", "OW", "SQ", "UN", "UT"].includes(vr);
  const head = Buffer.alloc(long ? 12 : 8);
  head.writeUInt16LE(group, 0);
  head.writeUInt16LE(el, 2);
  head.write(vr, 4, "latin1");
  if (long) head.writeUInt32LE(value.length, 8);
  else head.writeUInt16LE(value.length, 6);
  return Buffer.concat([head, value]);
}
const str = (s: string) => Buffer.from(s.length % 2 ? `${s} ` : s, "latin1");
const uid = (s: string) => Buffer.from(s.length % 2 ? `${s}\0` : s, "latin1");
const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};

/** A minimal CT slice in Explicit VR Little Endian, native int16 pixels (its meta header may name another syntax). */
export function dicomSlice(o: { series: string; instance: number; z: number; rows: number; columns: number; pixels?: Buffer; syntax?: string }) {
  const ts = o.syntax ?? "1.2.840.10008.1.2.1";
  const sop = `1.2.826.0.1.3680043.8.498.${o.instance + 1}`;
  const meta = Buffer.concat([dicomElement(0x0002, 0x0001, "OB", Buffer.from([0, 1])), dicomElement(0x0002, 0x0002, "UI", uid("1.2.840.10008.5.1.4.1.1.2")), dicomElement(0x0002, 0x0003, "UI", uid(sop)), dicomElement(0x0002, 0x0010, "UI", uid(ts))]);
  const pixels = o.pixels ?? Buffer.alloc(o.rows * o.columns * 2);
  const body = Buffer.concat([
    dicomElement(0x0002, 0x0000, "UL", Buffer.from(Uint32Array.of(meta.length).buffer)),
    meta,
    dicomElement(0x0008, 0x0016, "UI", uid("1.2.840.10008.5.1.4.1.1.2")),
    dicomElement(0x0008, 0x0018, "UI", uid(sop)),
    dicomElement(0x0008, 0x0060, "CS", str("CT")),
    dicomElement(0x0020, 0x000d, "UI", uid(`${o.series}.1`)),
    dicomElement(0x0020, 0x000e, "UI", uid(o.series)),
    dicomElement(0x0020, 0x0013, "IS", str(String(o.instance + 1))),
    dicomElement(0x0020, 0x0032, "DS", str(`0\\0\\${o.z}`)),
    dicomElement(0x0020, 0x0037, "DS", str("1\\0\\0\\0\\1\\0")),
    dicomElement(0x0028, 0x0002, "US", u16(1)),
    dicomElement(0x0028, 0x0004, "CS", str("MONOCHROME2")),
    dicomElement(0x0028, 0x0010, "US", u16(o.rows)),
    dicomElement(0x0028, 0x0011, "US", u16(o.columns)),
    dicomElement(0x0028, 0x0030, "DS", str("1\\1")),
    dicomElement(0x0028, 0x0100, "US", u16(16)),
    dicomElement(0x0028, 0x0101, "US", u16(16)),
    dicomElement(0x0028, 0x0102, "US", u16(15)),
    dicomElement(0x0028, 0x0103, "US", u16(1)),
    dicomElement(0x0028, 0x1052, "DS", str("-1024")),
    dicomElement(0x0028, 0x1053, "DS", str("1")),
    dicomElement(0x7fe0, 0x0010, "OW", pixels),
  ]);
  return Buffer.concat([Buffer.alloc(128), Buffer.from("DICM"), body]);
}

/** The first J2K slice of the real Siemens series with its codestream's size marker set to `size` (and one tile). */
export function j2kClaiming(size: number) {
  const dir = path.join(CT, "dicom-series-siemens-petct-j2k");
  const file = readdirSync(dir).filter((f) => !f.endsWith(".txt")).sort()[0];
  const b = Buffer.from(readFileSync(path.join(dir, file)));
  const soc = b.indexOf(Buffer.from([0xff, 0x4f, 0xff, 0x51]));
  if (soc < 0) throw new Error("no JPEG 2000 codestream in the fixture");
  for (const off of [8, 12, 24, 28]) b.writeUInt32BE(size, soc + off);
  return b;
}

/** The real one-slice CT re-encoded by a dcmtk tool (`dcmcjpeg +e1`, `dcmcjpls`, `dcmcrle`…). */
export function encodedCtSlice(command: string[]) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "hounsfield-encode-"));
  try {
    const out = path.join(dir, "slice.dcm");
    execFileSync(command[0], [...command.slice(1), path.join(CT, "CT_small.dcm"), out]);
    return Buffer.from(readFileSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The encapsulated frame's first JPEG or JPEG-LS frame header (SOFn / SOF55) set to declare a `size`² image. */
export function jpegClaiming(command: string[], size: number) {
  const b = encodedCtSlice(command);
  const pixels = b.lastIndexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00]));
  const sof = [0xc0, 0xc1, 0xc3, 0xf7].map((m) => b.indexOf(Buffer.from([0xff, m]), pixels)).filter((i) => i > 0).sort((x, y) => x - y)[0];
  if (sof === undefined) throw new Error("no frame header in the encoded slice");
  b.writeUInt16BE(size, sof + 5);
  b.writeUInt16BE(size, sof + 7);
  return b;
}

/** The slice in RLE with its segment table declaring `segments` segments. */
export function rleDeclaring(segments: number) {
  const b = encodedCtSlice(["dcmcrle"]);
  const pixels = b.lastIndexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00]));
  // Pixel data's own header (12 bytes), the basic offset table item (8 + its entries), the frame's item header (8).
  const table = b.readUInt32LE(pixels + 16);
  b.writeUInt32LE(segments, pixels + 12 + 8 + table + 8);
  return b;
}

/** A deflated data set: a valid 8×8 slice whose deflate stream goes on inflating (zeros) for `inflatedMb`. */
export async function deflateBomb(file: string, inflatedMb: number) {
  const plain = dicomSlice({ series: "1.2.826.0.1.3680043.8.498.9003", instance: 0, z: 0, rows: 8, columns: 8, syntax: "1.2.840.10008.1.2.1.99" });
  const bodyAt = 132 + 12 + plain.readUInt32LE(132 + 8); // after the meta group and its length element
  writeFileSync(file, plain.subarray(0, bodyAt));
  const zeros = Buffer.alloc(1 << 20);
  await pipeline(
    Readable.from((function* () {
      yield plain.subarray(bodyAt);
      for (let i = 0; i < inflatedMb; i++) yield zeros;
    })()),
    createDeflateRaw({ level: 9 }),
    createWriteStream(file, { flags: "a" }),
  );
}

/** NIfTI-1 header (348 bytes + 4 of extension flag) of a `dims` int16 volume. */
export function niftiHeader(dims: [number, number, number]) {
  const src = gunzipSync(readFileSync(path.join(CT, "example_ct_sm.nii.gz"))).subarray(0, 352);
  const h = Buffer.from(src);
  h.writeInt16LE(3, 40);
  dims.forEach((d, i) => h.writeInt16LE(d, 42 + 2 * i));
  h.writeInt16LE(4, 70); // int16
  h.writeInt16LE(16, 72);
  h.writeFloatLE(352, 108);
  return h;
}

/** A .nii.gz whose gzip stream goes on (zeros) far past the volume its header declares. */
async function niftiBomb(file: string, inflatedMb: number) {
  const header = niftiHeader([64, 64, 64]);
  const zeros = Buffer.alloc(1 << 20);
  await pipeline(
    Readable.from((function* () {
      yield header;
      for (let i = 0; i < inflatedMb; i++) yield zeros;
    })()),
    createGzip({ level: 9 }),
    createWriteStream(file),
  );
}

export type Hostile = { name: string; code: string };

/** Writes the hostile set into `dir`: decompression bombs of each codec we decode, files whose parts disagree,
 * and a series of `slices` tiny slices (valid: it is indexed, it only costs many files). */
export async function writeHostileFiles(dir: string, o: { slices?: number; inflatedMb?: number } = {}): Promise<Hostile[]> {
  mkdirSync(dir, { recursive: true });
  const out: Hostile[] = [];
  const put = (name: string, bytes: Buffer, code: string) => {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), bytes);
    out.push({ name, code });
  };
  // JPEG 2000: a codestream claiming a 40000×40000 image behind a 512×512 header.
  put("j2k-bomb/slice.dcm", j2kClaiming(40_000), "series_inconsistent");
  // Native pixels: an element claiming far more bytes than the header's frame (and the file) hold.
  const small = Buffer.from(readFileSync(path.join(CT, "CT_small.dcm")));
  const pix = small.lastIndexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00]));
  const long = small.toString("latin1", pix + 4, pix + 6) === "OW" || small.toString("latin1", pix + 4, pix + 6) === "OB";
  small.writeUInt32LE(0x7ffffff0, pix + (long ? 8 : 4));
  put("native-bomb/slice.dcm", small, "truncated");
  // gzip: a NIfTI whose stream inflates to inflatedMb of zeros behind a 64³ header.
  mkdirSync(path.join(dir, "nifti"), { recursive: true });
  await niftiBomb(path.join(dir, "nifti", "bomb.nii.gz"), o.inflatedMb ?? 256);
  out.push({ name: "nifti/bomb.nii.gz", code: "inflation_limit" });
  // gzip: a header declaring 2048×2048×512 (2 GiB of voxels) over a stream that holds a few kB.
  const { gzipSync } = await import("node:zlib");
  put("nifti/huge-header.nii.gz", gzipSync(Buffer.concat([niftiHeader([2048, 2048, 512]), Buffer.alloc(4096)])), "truncated");
  // A header that says its voxels start 1 TB into the file.
  const far = niftiHeader([64, 64, 64]);
  far.writeFloatLE(1e12, 108);
  put("nifti/far-offset.nii.gz", gzipSync(far), "bad_geometry");
  // A DICOM header declaring a 65535×65535 frame.
  put("huge-frame/slice.dcm", dicomSlice({ series: "1.2.826.0.1.3680043.8.498.9001", instance: 0, z: 0, rows: 65535, columns: 65535, pixels: Buffer.alloc(64) }), "too_large");
  // A syntax nobody defined: refused as unsupported rather than guessed at.
  put("odd-syntax/slice.dcm", dicomSlice({ series: "1.2.826.0.1.3680043.8.498.9002", instance: 0, z: 0, rows: 8, columns: 8, syntax: "1.2.840.10008.1.2.9" }), "unsupported");
  // JPEG lossless, JPEG-LS and JPEG baseline codestreams claiming a 40000×40000 frame behind a 128×128 header.
  put("jpeg-lossless-bomb/slice.dcm", jpegClaiming(["dcmcjpeg", "+e1"], 40_000), "series_inconsistent");
  put("jpeg-ls-bomb/slice.dcm", jpegClaiming(["dcmcjpls"], 40_000), "series_inconsistent");
  put("jpeg-baseline-bomb/slice.dcm", jpegClaiming(["dcmcjpeg", "+eb"], 40_000), "series_inconsistent");
  // RLE: a segment table declaring 15 segments for a 16-bit greyscale frame (2).
  put("rle-bomb/slice.dcm", rleDeclaring(15), "series_inconsistent");
  // Deflate: a data set whose stream inflates to inflatedMb of zeros behind an 8×8 slice.
  mkdirSync(path.join(dir, "deflate-bomb"), { recursive: true });
  await deflateBomb(path.join(dir, "deflate-bomb", "slice.dcm"), o.inflatedMb ?? 256);
  out.push({ name: "deflate-bomb/slice.dcm", code: "inflation_limit" });
  // Many tiny slices of one series: valid, indexed as one 8×8×N volume.
  const series = `1.2.826.0.1.3680043.8.498.${createHash("sha256").update(dir).digest("hex").slice(0, 8).replace(/[a-f]/g, "1")}`;
  mkdirSync(path.join(dir, "many"), { recursive: true });
  for (let i = 0; i < (o.slices ?? 2000); i++) {
    writeFileSync(path.join(dir, "many", `s${String(i).padStart(5, "0")}.dcm`), dicomSlice({ series, instance: i, z: i, rows: 8, columns: 8 }));
  }
  out.push({ name: "many/", code: "indexed" });
  return out;
}

/** The Siemens J2K slice with both its header and its codestream claiming a `size`² frame (consistent, so it is
 * decoded): what only the decoding process's own limits stop. */
export function j2kConsistentClaim(size: number) {
  const b = j2kClaiming(size);
  for (const tag of [[0x28, 0x00, 0x10, 0x00], [0x28, 0x00, 0x11, 0x00]]) {
    const at = b.indexOf(Buffer.from(tag));
    const explicit = b.toString("latin1", at + 4, at + 6) === "US";
    b.writeUInt16LE(size, at + (explicit ? 8 : 8));
  }
  return b;
}
