// An assembled series' slices as the volume the index describes: each file read and decoded in the series' order and,
// for a gantry-tilted series, moved onto its orthogonal grid (tilt.ts). Indexing and the NIfTI export both read a
// series through here, so the statistics, the previews and the exported file are of one volume. Memory is a slice
// or two and one file's bytes.
import { open } from "node:fs/promises";
import type { DicomHeader } from "./dicom-header";
import { decodeFrame } from "./dicom-pixels";
import type { DicomSeries } from "./dicom-series";
import { ImagingError } from "./imaging-error";
import { READ_FLAGS } from "./read-file";
import { resampleSlice } from "./tilt";

async function readWhole(h: DicomHeader, size?: number) {
  const fh = await open(h.file, READ_FLAGS);
  try {
    const n = size ?? (await fh.stat()).size;
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    if (bytesRead < n) throw new ImagingError("truncated", `${h.file} shrank while it was read`);
    return buf;
  } finally {
    await fh.close();
  }
}

/** Each slice's scaled values (the same array, refilled) with the bytes of the file it came from. */
export async function* seriesSlices(s: Pick<DicomSeries, "slices" | "dims" | "shear">, sizes?: Map<string, number>, signal?: AbortSignal): AsyncGenerator<{ values: Float32Array; file: Buffer }> {
  const stored = s.shear ? new Float32Array(s.shear.source[0] * s.shear.source[1]) : new Float32Array(s.dims[0] * s.dims[1]);
  const decode = async (h: DicomHeader) => {
    if (signal?.aborted) throw signal.reason;
    const file = await readWhole(h, sizes?.get(h.file));
    await decodeFrame(h, new Uint8Array(file.buffer, file.byteOffset, file.length), stored);
    return file;
  };
  if (!s.shear) {
    for (const h of s.slices) yield { values: stored, file: await decode(h) };
    return;
  }
  // Voxels outside the scanned field: the padding value, else the volume's darkest value (as dcm2niix), which
  // takes a first pass.
  let fill = s.shear.paddingHu;
  if (fill === null) {
    fill = Infinity;
    for (const h of s.slices) {
      await decode(h);
      for (let i = 0; i < stored.length; i++) if (stored[i] < fill) fill = stored[i];
    }
  }
  const out = new Float32Array(s.dims[0] * s.dims[1]);
  for (const [k, h] of s.slices.entries()) {
    const file = await decode(h);
    resampleSlice(s.shear, [s.dims[0], s.dims[1]], fill, k, stored, out);
    yield { values: out, file };
  }
}
