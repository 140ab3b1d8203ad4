// The maintained decoders behind each compressed syntax, each behind one function that takes a checked codestream and
// returns its samples as bytes: libjpeg-turbo (JPEG baseline and 8-bit extended), CharLS (JPEG-LS) and OpenJPEG
// (JPEG 2000) compiled to WebAssembly by the Cornerstone project, and Cornerstone's jpeg-lossless-decoder-js (JPEG
// lossless, process 14 with any predictor; the original package drops a frame's last sample when its entropy data
// ends on a byte boundary, which dcmtk writes). A decoder's own failure (a number thrown from WebAssembly, a message
// about its internals) becomes the file's coded error with a sentence.
import { createRequire } from "node:module";
import { Decoder as LosslessDecoder } from "@cornerstonejs/jpeg-lossless-decoder-js";
import { ImagingError } from "./imaging-error";

type FrameInfo = { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned?: boolean };
type WasmDecoder = {
  getEncodedBuffer(n: number): Uint8Array;
  decode(): void;
  getFrameInfo(): FrameInfo;
  getDecodedBuffer(): Uint8Array;
  delete(): void;
};
type WasmModule = Record<string, new () => WasmDecoder>;

const loaded = new Map<string, Promise<WasmModule>>();

function load(entry: string) {
  let m = loaded.get(entry);
  if (!m) {
    const require = createRequire(import.meta.url);
    // The modules print on stdout unless told where to.
    m = (require(entry) as (o: object) => Promise<WasmModule>)({ print: () => {}, printErr: () => {} });
    loaded.set(entry, m);
  }
  return m;
}

const failed = (what: string) => new ImagingError("unreadable", `the ${what} pixel data could not be decoded: the codestream is corrupt or cut short`);

async function wasmDecode(entry: string, cls: string, what: string, frame: Uint8Array) {
  const Decoder = (await load(entry))[cls];
  const dec = new Decoder();
  try {
    dec.getEncodedBuffer(frame.length).set(frame);
    try {
      dec.decode();
    } catch {
      throw failed(what);
    }
    // The decoder's buffer lives in WebAssembly memory, freed below: copied out first.
    return { info: dec.getFrameInfo(), bytes: new Uint8Array(dec.getDecodedBuffer()) };
  } finally {
    dec.delete();
  }
}

export const decodeJpegTurbo = (frame: Uint8Array) => wasmDecode("@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs", "JPEGDecoder", "JPEG", frame);
export const decodeJpegLs = (frame: Uint8Array) => wasmDecode("@cornerstonejs/codec-charls/decodewasmjs", "JpegLSDecoder", "JPEG-LS", frame);
export const decodeJpeg2000 = (frame: Uint8Array) => wasmDecode("@cornerstonejs/codec-openjpeg/decodewasmjs", "J2KDecoder", "JPEG 2000", frame);

/** Predictor 7 as T.81 defines it, (Ra + Rb) >> 1: the package divides, and a half-value prediction whose sum with a
 * negative difference wraps below zero (signed samples near 0) is then cut toward zero, one off. */
class Process14Decoder extends LosslessDecoder {
  select7(compOffset?: number) {
    return (this.getPreviousX(compOffset) + this.getPreviousY(compOffset)) >> 1;
  }
}

/** JPEG lossless: the samples as `bytesPerSample`-byte little-endian values. */
export function decodeJpegLossless(frame: Uint8Array, bytesPerSample: number): Uint8Array {
  let out: Uint8Array | Uint16Array;
  try {
    const copy = frame.slice(); // the decoder reads an ArrayBuffer from its start
    out = new Process14Decoder().decode(copy.buffer, 0, copy.length, bytesPerSample) as Uint8Array | Uint16Array;
  } catch {
    throw failed("JPEG lossless");
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
