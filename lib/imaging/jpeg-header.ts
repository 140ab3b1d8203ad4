// What a JPEG or JPEG-LS codestream says it holds, from its frame header (SOFn, or SOF55 for JPEG-LS), read before
// anything is decoded: the decoders allocate and work for the frame the codestream declares, so a codestream that
// declares another size, more components or deeper samples than its DICOM header, or another coding process than
// its transfer syntax names, is refused here.
import { ImagingError } from "./imaging-error";
import type { PixelEncoding } from "./transfer-syntax";

export type JpegInfo = { marker: number; precision: number; width: number; height: number; components: number };

const SOF_NAMES: Record<number, string> = {
  0xc0: "JPEG baseline",
  0xc1: "JPEG extended sequential",
  0xc2: "JPEG progressive",
  0xc3: "JPEG lossless",
  0xc5: "hierarchical JPEG",
  0xc6: "hierarchical JPEG",
  0xc7: "hierarchical JPEG",
  0xc9: "arithmetic-coded JPEG",
  0xca: "arithmetic-coded JPEG",
  0xcb: "arithmetic-coded JPEG",
  0xcd: "arithmetic-coded JPEG",
  0xce: "arithmetic-coded JPEG",
  0xcf: "arithmetic-coded JPEG",
  0xf7: "JPEG-LS",
};

/** The frame a transfer syntax's codestream may carry: its frame markers and their sample precisions. */
const ALLOWED: Partial<Record<PixelEncoding, { markers: number[]; precision: [number, number] }>> = {
  "jpeg-baseline": { markers: [0xc0, 0xc1], precision: [8, 8] },
  "jpeg-extended": { markers: [0xc0, 0xc1], precision: [8, 12] },
  "jpeg-lossless": { markers: [0xc3], precision: [2, 16] },
  "jpeg-ls": { markers: [0xf7], precision: [2, 16] },
};

const unreadable = (why: string) => new ImagingError("unreadable", `the JPEG pixel data is unreadable: ${why}`);

/** The frame header, found by walking the marker segments from the start of image. */
export function jpegInfo(b: Uint8Array): JpegInfo {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) throw unreadable("it does not start with a JPEG start-of-image marker");
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) throw unreadable("a marker segment is malformed");
    const marker = b[at + 1];
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    const length = (b[at + 2] << 8) | b[at + 3];
    if (length < 2) throw unreadable("a marker segment is malformed");
    if (SOF_NAMES[marker]) {
      if (at + 4 + 6 > b.length) throw unreadable("the frame header is cut short");
      const components = b[at + 9];
      if (length !== 8 + 3 * components) throw unreadable(`a frame header of ${length} bytes for ${components} components`);
      return { marker, precision: b[at + 4], height: (b[at + 5] << 8) | b[at + 6], width: (b[at + 7] << 8) | b[at + 8], components };
    }
    if (marker === 0xda || marker === 0xd9) throw unreadable("no frame header before the image data");
    at += 2 + length;
  }
  throw unreadable("no frame header: the codestream is cut short");
}

/** Refuses a codestream that disagrees with the header it came with, or with its transfer syntax. */
export function checkJpegAgainstHeader(info: JpegInfo, h: { rows: number; columns: number; samplesPerPixel: number; bitsAllocated: number }, encoding: PixelEncoding, syntaxName: string) {
  const allowed = ALLOWED[encoding];
  const name = SOF_NAMES[info.marker] ?? "JPEG";
  if (!allowed || !allowed.markers.includes(info.marker)) throw new ImagingError("unreadable", `the pixel data is a ${name} codestream, not the ${syntaxName} its transfer syntax names`);
  const samples = Math.max(1, h.samplesPerPixel);
  if (info.width !== h.columns || info.height !== h.rows || info.components !== samples) {
    throw new ImagingError("series_inconsistent", `the ${name} codestream declares ${info.width}×${info.height}×${info.components}, the header says ${h.columns}×${h.rows}×${samples}: not decoded`);
  }
  if (info.precision > Math.max(8, h.bitsAllocated) || info.precision < allowed.precision[0] || info.precision > allowed.precision[1]) {
    throw new ImagingError("series_inconsistent", `the ${name} codestream declares ${info.precision}-bit samples, which ${syntaxName} with ${h.bitsAllocated} bits allocated cannot hold: not decoded`);
  }
}
