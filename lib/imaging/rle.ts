// RLE Lossless (DICOM PS3.5 Annex G): a 64-byte header of segment offsets, then one PackBits segment per byte of
// each sample, most significant byte first. The header is checked against the frame before anything is expanded,
// and each segment stops at the frame's size, so a segment that would expand further costs nothing more.
import { ImagingError } from "./imaging-error";

/** The frame as little-endian samples (rows × columns × bytesPerSample), like native pixel data. */
export function decodeRle(b: Uint8Array, h: { rows: number; columns: number; bitsAllocated: number; samplesPerPixel: number }): Uint8Array {
  const pixels = h.rows * h.columns;
  const bytesPerSample = h.bitsAllocated / 8;
  const want = Math.max(1, h.samplesPerPixel) * bytesPerSample;
  if (b.length < 64) throw new ImagingError("truncated", `the RLE pixel data is ${b.length} bytes, shorter than its 64-byte header`);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const segments = v.getUint32(0, true);
  if (segments !== want) {
    throw new ImagingError("series_inconsistent", `the RLE header declares ${segments} segments, the header's ${h.bitsAllocated}-bit frame of ${Math.max(1, h.samplesPerPixel)} sample(s) needs ${want}: not decoded`);
  }
  const offsets = Array.from({ length: segments }, (_, i) => v.getUint32(4 + 4 * i, true));
  offsets.push(b.length);
  for (let i = 0; i < segments; i++) {
    if (offsets[i] < 64 || offsets[i] >= offsets[i + 1]) throw new ImagingError("unreadable", `the RLE segment offsets are inconsistent (segment ${i + 1} at byte ${offsets[i]})`);
  }
  const out = new Uint8Array(pixels * want);
  for (let s = 0; s < segments; s++) {
    // Segment s holds byte (bytesPerSample − 1 − s % bytesPerSample) of each sample: the most significant first.
    const sample = Math.floor(s / bytesPerSample);
    const byte = bytesPerSample - 1 - (s % bytesPerSample);
    const got = unpack(b, offsets[s], offsets[s + 1], out, sample * bytesPerSample + byte, want, pixels);
    if (got < pixels) throw new ImagingError("truncated", `RLE segment ${s + 1} expands to ${got} of the frame's ${pixels} bytes`);
  }
  return out;
}

/** PackBits from src[from, to) into every `stride`-th byte of out from `start`, at most `count` bytes. */
function unpack(src: Uint8Array, from: number, to: number, out: Uint8Array, start: number, stride: number, count: number) {
  let n = 0;
  let at = from;
  while (at < to && n < count) {
    const c = src[at++];
    if (c < 128) {
      const end = Math.min(at + c + 1, to);
      for (; at < end && n < count; at++) out[start + stride * n++] = src[at];
      at = end;
    } else if (c > 128) {
      if (at >= to) break;
      const value = src[at++];
      for (let k = 257 - c; k > 0 && n < count; k--) out[start + stride * n++] = value;
    }
  }
  return n;
}
