// What a compressed frame declares is read before it is decoded and refused when it disagrees with its DICOM header
// or its transfer syntax: a JPEG or JPEG-LS frame header (size, components, precision, coding process), an RLE
// segment table, a deflated data set's length. Each case starts from the real one-slice CT re-encoded by dcmtk.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import dicomParser from "dicom-parser";
import { afterAll, describe, expect, it } from "vitest";
import { indexFiles } from "../../../lib/imaging/index-files";
import { checkJpegAgainstHeader, jpegInfo } from "../../../lib/imaging/jpeg-header";
import { decodeRle } from "../../../lib/imaging/rle";
import { deflateBomb, encodedCtSlice, jpegClaiming, rleDeclaring } from "../../support/hostile-files";

const tmp = mkdtempSync(path.join(os.tmpdir(), "hounsfield-codestreams-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
async function problemOf(bytes: Buffer) {
  const file = path.join(tmp, `f${n++}.dcm`);
  writeFileSync(file, bytes);
  const { volumes, problems } = await indexFiles([{ path: file, size: statSync(file).size }]);
  expect(volumes).toEqual([]);
  expect(problems).toHaveLength(1);
  return problems[0].error;
}

function frameOf(bytes: Buffer) {
  const ds = dicomParser.parseDicom(new Uint8Array(bytes));
  const el = ds.elements.x7fe00010;
  return dicomParser.readEncapsulatedPixelDataFromFragments(ds, el, 0, el.fragments!.length);
}

const CT_SMALL = { rows: 128, columns: 128, samplesPerPixel: 1, bitsAllocated: 16 };

describe("JPEG and JPEG-LS frame headers", () => {
  it("are read from dcmtk's codestreams as their headers describe them", () => {
    expect(jpegInfo(frameOf(encodedCtSlice(["dcmcjpeg", "+e1"])))).toEqual({ marker: 0xc3, precision: 16, width: 128, height: 128, components: 1 });
    expect(jpegInfo(frameOf(encodedCtSlice(["dcmcjpls"])))).toMatchObject({ marker: 0xf7, width: 128, height: 128, components: 1 });
    expect(jpegInfo(frameOf(encodedCtSlice(["dcmcjpeg", "+eb"])))).toMatchObject({ marker: 0xc0, precision: 8, width: 128, height: 128 });
  });

  for (const [name, command] of [["JPEG lossless", ["dcmcjpeg", "+e1"]], ["JPEG-LS", ["dcmcjpls"]], ["JPEG baseline", ["dcmcjpeg", "+eb"]]] as const) {
    it(`a ${name} codestream claiming a 40000×40000 frame behind a 128×128 header is refused before decoding`, async () => {
      const e = await problemOf(jpegClaiming([...command], 40_000));
      expect(e.code).toBe("series_inconsistent");
      expect(e.message).toMatch(/codestream declares 40000×40000×1, the header says 128×128×1: not decoded$/);
    });
  }

  it("a codestream of another coding process than its transfer syntax names", async () => {
    const b = encodedCtSlice(["dcmcjpeg", "+e1"]);
    const ts = b.indexOf("1.2.840.10008.1.2.4.70");
    b.write("1.2.840.10008.1.2.4.50", ts, "latin1"); // the meta header now says baseline
    expect(await problemOf(b)).toMatchObject({ code: "unreadable", message: "the pixel data is a JPEG lossless codestream, not the JPEG Baseline (Process 1) its transfer syntax names" });
  });

  it("more components or deeper samples than the header", () => {
    const info = jpegInfo(frameOf(encodedCtSlice(["dcmcjpeg", "+e1"])));
    expect(() => checkJpegAgainstHeader({ ...info, components: 3 }, CT_SMALL, "jpeg-lossless", "JPEG Lossless")).toThrow(/declares 128×128×3, the header says 128×128×1/);
    expect(() => checkJpegAgainstHeader(info, { ...CT_SMALL, bitsAllocated: 8 }, "jpeg-lossless", "JPEG Lossless")).toThrow(/16-bit samples/);
    expect(() => checkJpegAgainstHeader({ ...info, marker: 0xc0, precision: 12 }, CT_SMALL, "jpeg-baseline", "JPEG Baseline")).toThrow(/12-bit samples/);
  });

  it("a cut or foreign codestream is unreadable, with a sentence", () => {
    const frame = frameOf(encodedCtSlice(["dcmcjpls"]));
    expect(() => jpegInfo(frame.subarray(0, 6))).toThrow(/cut short/);
    expect(() => jpegInfo(Buffer.from("not a codestream"))).toThrow(/does not start with a JPEG start-of-image marker/);
  });
});

describe("RLE segment tables", () => {
  it("a table declaring more segments than the frame has bytes per sample is refused", async () => {
    expect(await problemOf(rleDeclaring(15))).toMatchObject({ code: "series_inconsistent", message: "the RLE header declares 15 segments, the header's 16-bit frame of 1 sample(s) needs 2: not decoded" });
  });

  const rle = (segments: number[][], offsets?: number[]) => {
    const head = Buffer.alloc(64);
    head.writeUInt32LE(segments.length, 0);
    let at = 64;
    segments.forEach((s, i) => {
      head.writeUInt32LE(offsets?.[i] ?? at, 4 + 4 * i);
      at += s.length;
    });
    return Buffer.concat([head, ...segments.map((s) => Buffer.from(s))]);
  };
  const frame = { rows: 2, columns: 2, bitsAllocated: 16, samplesPerPixel: 1 };

  it("decodes literal and repeated runs, most significant byte first, into little-endian samples", () => {
    const out = decodeRle(rle([[0x03, 1, 2, 3, 4], [0xfd, 0x80]]), frame); // MSBs 1,2,3,4; LSBs 0x80 ×4
    expect([...new Uint16Array(out.buffer)]).toEqual([0x0180, 0x0280, 0x0380, 0x0480]);
  });

  it("a segment that would expand far past the frame stops at the frame's size", () => {
    const bomb = Array.from({ length: 2000 }, (_, i) => (i % 2 ? 7 : 0x81)); // 1000 runs of 128 bytes
    const out = decodeRle(rle([bomb, bomb]), frame);
    expect(out.length).toBe(8);
    expect([...out]).toEqual(new Array(8).fill(7));
  });

  it("a segment that ends early and offsets out of order are the file's errors", () => {
    expect(() => decodeRle(rle([[0x00, 1], [0xfd, 0]]), frame)).toThrow(/RLE segment 1 expands to 1 of the frame's 4 bytes/);
    expect(() => decodeRle(rle([[0xfd, 1], [0xfd, 0]], [64, 10]), frame)).toThrow(/^the RLE segment offsets are inconsistent \(segment 1 at byte 64\)$/);
  });
});

describe("deflated data sets", () => {
  it("a stream inflating to 256 MB behind an 8×8 slice stops at the frame's size", async () => {
    const file = path.join(tmp, "deflate-bomb.dcm");
    await deflateBomb(file, 256);
    const { problems } = await indexFiles([{ path: file, size: statSync(file).size }]);
    expect(problems.map((p) => p.error.code)).toEqual(["inflation_limit"]);
    expect(problems[0].error.message).toMatch(/^the deflated data set inflates past the \d+ bytes its header allows$/);
  });

  it("a stream cut short is a sentence, not zlib's error", async () => {
    const file = path.join(tmp, "deflate-bomb-small.dcm");
    await deflateBomb(file, 1);
    const whole = readFileSync(file);
    const e = await problemOf(whole.subarray(0, whole.length - 40));
    expect(["unreadable", "truncated", "inflation_limit"]).toContain(e.code);
    expect(e.message).not.toMatch(/zlib|Z_|unexpected end/i);
  });
});
