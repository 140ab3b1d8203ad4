// A DICOM frame's stored values → scaled float32 (HU for CT). Native little- and big-endian pixel data is read
// in place; JPEG 2000 (the Siemens sample series) goes through OpenJPEG compiled to WebAssembly. Other
// compressions are reported as unsupported rather than guessed at.
import { createRequire } from "node:module";
import dicomParser from "dicom-parser";
import { describe, type DicomHeader } from "./dicom-header";
import { ImagingError } from "./imaging-error";
import { checkJ2kAgainstHeader, j2kInfo } from "./j2k-header";

const NATIVE = new Set(["1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2"]);
const J2K = new Set(["1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91"]);

type J2KDecoder = {
  getEncodedBuffer(n: number): Uint8Array;
  decode(): void;
  getFrameInfo(): { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned: boolean };
  getDecodedBuffer(): Uint8Array;
  delete(): void;
};
let openjpeg: Promise<{ J2KDecoder: new () => J2KDecoder }> | null = null;

function loadOpenJpeg() {
  const require = createRequire(import.meta.url);
  // The module logs every decode on stdout unless told where to print.
  const factory = require("@cornerstonejs/codec-openjpeg/decodewasmjs") as (o: object) => Promise<{ J2KDecoder: new () => J2KDecoder }>;
  return (openjpeg ??= factory({ print: () => {}, printErr: () => {} }));
}

export function supportedTransferSyntax(ts: string) {
  return NATIVE.has(ts) || J2K.has(ts);
}

/** Decodes the single frame of a parsed file into `out` (rows × columns, row-major), applying slope and intercept. */
export async function decodeFrame(h: DicomHeader, bytes: Uint8Array, out: Float32Array) {
  let ds: dicomParser.DataSet;
  try {
    ds = dicomParser.parseDicom(bytes);
  } catch (e) {
    throw new ImagingError("truncated", `the pixel data is unreadable: ${describe(e)}`);
  }
  const el = ds.elements.x7fe00010;
  if (!el) throw new ImagingError("not_a_volume", "no pixel data");
  const n = h.rows * h.columns;
  let values: ArrayLike<number>;
  if (NATIVE.has(h.transferSyntax)) {
    const bps = h.bitsAllocated / 8;
    if (bps !== 1 && bps !== 2) throw new ImagingError("unsupported", `${h.bitsAllocated} bits allocated per pixel`);
    if (el.length < n * bps || el.dataOffset + n * bps > bytes.length) throw new ImagingError("truncated", `pixel data holds ${Math.min(el.length, bytes.length - el.dataOffset)} of ${n * bps} bytes`);
    // More than the header's frame (and a padding byte) is an element that disagrees with its header.
    if (el.length > n * bps + 2) throw new ImagingError("series_inconsistent", `the pixel data element holds ${el.length} bytes, the header's ${h.columns}×${h.rows} frame ${n * bps}: not decoded`);
    const raw = Buffer.from(bytes.buffer, bytes.byteOffset + el.dataOffset, n * bps);
    const copy = Buffer.alloc(raw.length);
    raw.copy(copy);
    if (bps === 2 && h.transferSyntax === "1.2.840.10008.1.2.2") copy.swap16();
    values = bps === 1 ? (h.pixelRepresentation ? new Int8Array(copy.buffer, 0, n) : copy) : h.pixelRepresentation ? new Int16Array(copy.buffer, 0, n) : new Uint16Array(copy.buffer, 0, n);
  } else if (J2K.has(h.transferSyntax)) {
    let frame: Uint8Array;
    try {
      frame = dicomParser.readEncapsulatedPixelDataFromFragments(ds, el, 0);
    } catch (e) {
      throw new ImagingError("truncated", `the encapsulated pixel data is unreadable: ${describe(e)}`);
    }
    // What the codestream claims is checked against the header before the decoder sees it.
    checkJ2kAgainstHeader(j2kInfo(frame), h);
    const { J2KDecoder } = await loadOpenJpeg();
    const dec = new J2KDecoder();
    let info: ReturnType<J2KDecoder["getFrameInfo"]>;
    let copy: Uint8Array;
    try {
      dec.getEncodedBuffer(frame.length).set(frame);
      try {
        dec.decode();
      } catch (e) {
        throw new ImagingError("unreadable", `JPEG 2000 decoding failed: ${describe(e)}`);
      }
      info = dec.getFrameInfo();
      if (info.width !== h.columns || info.height !== h.rows || info.componentCount !== 1) {
        throw new ImagingError("series_inconsistent", `the JPEG 2000 frame is ${info.width}×${info.height}×${info.componentCount}, the header says ${h.columns}×${h.rows}`);
      }
      copy = new Uint8Array(dec.getDecodedBuffer()); // the decoder's buffer lives in WebAssembly memory, freed below
    } finally {
      dec.delete();
    }
    values = info.bitsPerSample <= 8 ? (info.isSigned ? new Int8Array(copy.buffer) : copy) : info.isSigned ? new Int16Array(copy.buffer, 0, n) : new Uint16Array(copy.buffer, 0, n);
  } else {
    throw new ImagingError("unsupported", `transfer syntax ${h.transferSyntax || "(none)"} is not supported (native and JPEG 2000 are)`);
  }
  const { slope, intercept } = h;
  for (let i = 0; i < n; i++) out[i] = values[i] * slope + intercept + 0;
}
