// What a JPEG 2000 codestream says it holds, from its SIZ marker segment, read before anything is decoded: a
// codestream that claims a larger image (or more components, deeper samples, or a tile grid out of proportion) than
// the DICOM header it came with is refused, since the decoder would allocate and work for what the codestream says.
import { ImagingError } from "./imaging-error";

export type J2kInfo = { width: number; height: number; components: number; bitDepth: number; signed: boolean; tiles: number };

/** Tiles of a CT frame: a handful at most; a grid of a pixel per tile is work without image. */
const MAX_TILES = 4096;

function codestreamStart(b: Uint8Array) {
  // A bare codestream (what DICOM holds) starts with SOC; a JP2 file carries it in its 'jp2c' box.
  if (b[0] === 0xff && b[1] === 0x4f) return 0;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let at = 0; at + 8 <= b.length; ) {
    let len = v.getUint32(at);
    const type = String.fromCharCode(b[at + 4], b[at + 5], b[at + 6], b[at + 7]);
    let head = 8;
    if (len === 1) {
      if (at + 16 > b.length) break;
      len = Number(v.getBigUint64(at + 8));
      head = 16;
    }
    if (type === "jp2c") return at + head;
    if (len < head) break; // 0 = "to the end": a box after which nothing is found
    at += len;
  }
  throw new ImagingError("unreadable", "the JPEG 2000 pixel data has no codestream");
}

export function j2kInfo(b: Uint8Array): J2kInfo {
  const bad = (why: string) => new ImagingError("unreadable", `the JPEG 2000 codestream's size marker is unreadable: ${why}`);
  const at = codestreamStart(b);
  if (b.length < at + 42) throw bad("the codestream is shorter than its header");
  const v = new DataView(b.buffer, b.byteOffset + at, b.byteLength - at);
  if (v.getUint16(0) !== 0xff4f || v.getUint16(2) !== 0xff51) throw bad("no SIZ marker after the start of the codestream");
  const lsiz = v.getUint16(4);
  const [xsiz, ysiz, xo, yo, xt, yt, xto, yto] = [8, 12, 16, 20, 24, 28, 32, 36].map((o) => v.getUint32(o));
  const components = v.getUint16(40);
  if (components < 1 || lsiz !== 38 + 3 * components || b.length < at + 2 + lsiz + 2) throw bad(`${components} components in a segment of ${lsiz} bytes`);
  if (!(xsiz > xo && ysiz > yo && xt > 0 && yt > 0 && xto <= xo && yto <= yo)) throw bad("the image or tile offsets are inconsistent");
  const tiles = Math.ceil((xsiz - xto) / xt) * Math.ceil((ysiz - yto) / yt);
  const ssiz = v.getUint8(42);
  return { width: xsiz - xo, height: ysiz - yo, components, bitDepth: (ssiz & 0x7f) + 1, signed: (ssiz & 0x80) !== 0, tiles };
}

/** Refuses a codestream that disagrees with the header it came with. */
export function checkJ2kAgainstHeader(info: J2kInfo, h: { rows: number; columns: number; samplesPerPixel: number; bitsAllocated: number }) {
  if (info.width !== h.columns || info.height !== h.rows || info.components !== Math.max(1, h.samplesPerPixel)) {
    throw new ImagingError("series_inconsistent", `the JPEG 2000 codestream declares ${info.width}×${info.height}×${info.components}, the header says ${h.columns}×${h.rows}×${Math.max(1, h.samplesPerPixel)}: not decoded`);
  }
  if (info.bitDepth > Math.max(8, h.bitsAllocated)) throw new ImagingError("series_inconsistent", `the JPEG 2000 codestream declares ${info.bitDepth}-bit samples, the header ${h.bitsAllocated}: not decoded`);
  if (info.tiles > MAX_TILES) throw new ImagingError("unsupported", `the JPEG 2000 codestream is cut into ${info.tiles} tiles (at most ${MAX_TILES}): not decoded`);
}
