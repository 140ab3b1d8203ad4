// What a JPEG 2000 codestream claims is read from its SIZ marker before anything is decoded, and a claim that
// disagrees with its DICOM header is refused: the decoder would otherwise allocate for the codestream's claim.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import dicomParser from "dicom-parser";
import { describe, expect, it } from "vitest";
import { checkJ2kAgainstHeader, j2kInfo } from "../../../lib/imaging/j2k-header";
import { j2kClaiming } from "../../support/hostile-files";

const DIR = path.resolve(import.meta.dirname, "../../fixtures/ct/dicom-series-siemens-petct-j2k");

function frameOf(bytes: Uint8Array) {
  const ds = dicomParser.parseDicom(bytes);
  return dicomParser.readEncapsulatedPixelDataFromFragments(ds, ds.elements.x7fe00010, 0);
}

const real = () => frameOf(readFileSync(path.join(DIR, readdirSync(DIR).filter((f) => !f.endsWith(".txt")).sort()[0])));
const header = { rows: 512, columns: 512, samplesPerPixel: 1, bitsAllocated: 16 };

describe("JPEG 2000 size marker", () => {
  it("reads the real series' frame as the header describes it, and lets it through", () => {
    const info = j2kInfo(real());
    expect(info).toMatchObject({ width: 512, height: 512, components: 1 });
    expect(info.bitDepth).toBeLessThanOrEqual(16);
    expect(() => checkJ2kAgainstHeader(info, header)).not.toThrow();
  });

  it("refuses a codestream that claims a larger image than its header, before decoding", () => {
    const info = j2kInfo(frameOf(j2kClaiming(40_000)));
    expect(info).toMatchObject({ width: 40_000, height: 40_000 });
    expect(() => checkJ2kAgainstHeader(info, header)).toThrow(/declares 40000×40000×1, the header says 512×512×1/);
  });

  it("refuses more components or deeper samples than the header, and a grid of tiny tiles", () => {
    const info = j2kInfo(real());
    expect(() => checkJ2kAgainstHeader({ ...info, components: 3 }, header)).toThrow(/×3, the header says/);
    expect(() => checkJ2kAgainstHeader({ ...info, bitDepth: 24 }, header)).toThrow(/24-bit/);
    expect(() => checkJ2kAgainstHeader({ ...info, tiles: 512 * 512 }, header)).toThrow(/tiles/);
  });

  it("finds the codestream inside a JP2 file's boxes", () => {
    const cs = real();
    const box = (type: string, body: Uint8Array) => {
      const b = Buffer.alloc(8 + body.length);
      b.writeUInt32BE(b.length, 0);
      b.write(type, 4, "latin1");
      Buffer.from(body).copy(b, 8);
      return b;
    };
    const jp2 = Buffer.concat([box("jP  ", Buffer.from([0x0d, 0x0a, 0x87, 0x0a])), box("ftyp", Buffer.from("jp2 \0\0\0\0jp2 ")), box("jp2c", cs)]);
    expect(j2kInfo(jp2)).toMatchObject({ width: 512, height: 512 });
  });

  it("says a cut or foreign codestream is unreadable, never throws anything else", () => {
    const cs = real();
    expect(() => j2kInfo(cs.subarray(0, 20))).toThrow(/shorter than its header/);
    expect(() => j2kInfo(Buffer.from("not a codestream at all, just text"))).toThrow(/no codestream/);
    const noSiz = Buffer.from(cs);
    noSiz[3] = 0x52;
    expect(() => j2kInfo(noSiz)).toThrow(/no SIZ marker/);
  });
});
