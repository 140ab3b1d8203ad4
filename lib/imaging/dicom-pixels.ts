// A DICOM frame's stored values → scaled float32 (HU for CT). Native pixel data (little or big endian, deflated or
// not) is read in place; each compressed syntax goes to its maintained decoder (pixel-codecs.ts) only after what its
// codestream declares has been checked against the header (j2k-header.ts, jpeg-header.ts, rle.ts).
import dicomParser from "dicom-parser";
import { parseDicomBytes } from "./dicom-file";
import { MAX_HEADER_BYTES, type DicomHeader } from "./dicom-header";
import { ImagingError } from "./imaging-error";
import { checkJ2kAgainstHeader, j2kInfo } from "./j2k-header";
import { checkJpegAgainstHeader, jpegInfo } from "./jpeg-header";
import { decodeJpeg2000, decodeJpegLossless, decodeJpegLs, decodeJpegTurbo } from "./pixel-codecs";
import { decodeRle } from "./rle";
import { EXPLICIT_BE, pixelEncoding, syntaxName, type PixelEncoding } from "./transfer-syntax";

/** Throws the coded refusal for a syntax that is not decoded here. */
export function assertSupportedSyntax(ts: string) {
  pixelEncoding(ts);
}

/** The single frame's encapsulated bytes, its fragments joined. */
function encapsulatedFrame(ds: dicomParser.DataSet, el: dicomParser.Element) {
  if (!el.encapsulatedPixelData || !el.fragments?.length) throw new ImagingError("unreadable", "the transfer syntax is a compressed one but the pixel data is not encapsulated");
  try {
    return dicomParser.readEncapsulatedPixelDataFromFragments(ds, el, 0, el.fragments.length) as Uint8Array;
  } catch {
    throw new ImagingError("truncated", "the encapsulated pixel data's fragments run past the end of the file");
  }
}

/** Native pixel data as little-endian bytes of exactly one frame. */
function nativeFrame(ds: dicomParser.DataSet, el: dicomParser.Element, h: DicomHeader, frameBytes: number) {
  if (el.encapsulatedPixelData) throw new ImagingError("unreadable", "the transfer syntax is uncompressed but the pixel data is encapsulated");
  const bytes = ds.byteArray;
  if (el.length < frameBytes || el.dataOffset + frameBytes > bytes.length) throw new ImagingError("truncated", `pixel data holds ${Math.max(0, Math.min(el.length, bytes.length - el.dataOffset))} of ${frameBytes} bytes`);
  // More than the header's frame (and a padding byte) is an element that disagrees with its header.
  if (el.length > frameBytes + 2) throw new ImagingError("series_inconsistent", `the pixel data element holds ${el.length} bytes, the header's ${h.columns}×${h.rows} frame ${frameBytes}: not decoded`);
  const copy = Buffer.alloc(frameBytes);
  copy.set(bytes.subarray(el.dataOffset, el.dataOffset + frameBytes));
  if (h.bitsAllocated === 16 && h.transferSyntax === EXPLICIT_BE) copy.swap16();
  return copy;
}

type Decoded = { bytes: Uint8Array; bytesPerSample: number; signed?: boolean };

async function compressedFrame(encoding: PixelEncoding, frame: Uint8Array, h: DicomHeader, bytesPerSample: number): Promise<Decoded> {
  const name = syntaxName(h.transferSyntax);
  if (encoding === "rle") return { bytes: decodeRle(frame, h), bytesPerSample };
  if (encoding === "jpeg-2000") {
    checkJ2kAgainstHeader(j2kInfo(frame), h);
    const { info, bytes } = await decodeJpeg2000(frame);
    checkDecoded(info, h, name);
    return { bytes, bytesPerSample: info.bitsPerSample <= 8 ? 1 : 2, signed: info.isSigned };
  }
  const info = jpegInfo(frame);
  checkJpegAgainstHeader(info, h, encoding, name);
  if (encoding === "jpeg-lossless") return { bytes: decodeJpegLossless(frame, bytesPerSample), bytesPerSample };
  if (encoding === "jpeg-extended" && info.precision > 8) {
    // The Cornerstone libjpeg-turbo build decodes 8-bit samples only, and no maintained package decodes 12-bit DCT JPEG.
    throw new ImagingError("unsupported", `12-bit lossy JPEG (${name} with 12-bit samples) is not decoded here; a lossless copy (JPEG lossless, JPEG-LS, JPEG 2000 or uncompressed) can be indexed`);
  }
  const decoded = encoding === "jpeg-ls" ? await decodeJpegLs(frame) : await decodeJpegTurbo(frame);
  checkDecoded(decoded.info, h, name);
  return { bytes: decoded.bytes, bytesPerSample: decoded.info.bitsPerSample <= 8 ? 1 : 2 };
}

function checkDecoded(info: { width: number; height: number; componentCount: number }, h: DicomHeader, name: string) {
  if (info.width !== h.columns || info.height !== h.rows || info.componentCount !== 1) {
    throw new ImagingError("series_inconsistent", `the ${name} frame decoded to ${info.width}×${info.height}×${info.componentCount}, the header says ${h.columns}×${h.rows}`);
  }
}

/** Stored samples as numbers: signed by PixelRepresentation, and a codec's unsigned bit patterns sign-extended from BitsStored. */
function samples(bytes: Uint8Array, n: number, h: DicomHeader, bps: number, codec: boolean, signed: boolean | undefined) {
  const isSigned = signed ?? h.pixelRepresentation === 1;
  if (bytes.length < n * bps) throw new ImagingError("truncated", `the decoded frame holds ${bytes.length} of ${n * bps} bytes`);
  const aligned = bytes.byteOffset % 2 === 0 ? bytes : bytes.slice();
  const values = bps === 1 ? (isSigned ? new Int8Array(aligned.buffer, aligned.byteOffset, n) : aligned.subarray(0, n)) : isSigned ? new Int16Array(aligned.buffer, aligned.byteOffset, n) : new Uint16Array(aligned.buffer, aligned.byteOffset, n);
  const stored = h.bitsStored;
  if (!(codec && isSigned && stored > 0 && stored < bps * 8)) return values;
  const shift = 32 - stored;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = (values[i] << shift) >> shift;
  return out;
}

/** Decodes the single frame of a file's bytes into `out` (rows × columns, row-major), applying slope and intercept. */
export async function decodeFrame(h: DicomHeader, bytes: Uint8Array, out: Float32Array) {
  const encoding = pixelEncoding(h.transferSyntax);
  const bps = h.bitsAllocated / 8;
  if (bps !== 1 && bps !== 2) throw new ImagingError("unsupported", `${h.bitsAllocated} bits allocated per pixel (8 and 16 are read)`);
  const n = h.rows * h.columns;
  const frameBytes = n * bps;
  const { dataSet: ds } = await parseDicomBytes(bytes, { untilPixelData: false, inflateCap: MAX_HEADER_BYTES + frameBytes + 64 * 1024 });
  const el = ds.elements.x7fe00010;
  if (!el) throw new ImagingError("not_a_volume", "no pixel data");
  let values: ArrayLike<number>;
  if (encoding === "native") values = samples(nativeFrame(ds, el, h, frameBytes), n, h, bps, false, undefined);
  else {
    const decoded = await compressedFrame(encoding, encapsulatedFrame(ds, el), h, bps);
    values = samples(decoded.bytes, n, h, decoded.bytesPerSample, true, decoded.signed);
  }
  const { slope, intercept } = h;
  for (let i = 0; i < n; i++) out[i] = values[i] * slope + intercept + 0;
}
