// Indexing DICOM: headers of every file (start of each file only), grouped into series, then each series' voxels
// in one pass, one slice in memory at a time.
import { READ_FLAGS } from "./read-file";
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import { readDicomHeader, type DicomHeader, type DicomTags } from "./dicom-header";
import { assertSupportedSyntax, decodeFrame } from "./dicom-pixels";
import { assembleSeries, groupSeries, type DicomSeries, type FileProblem } from "./dicom-series";
import { asImagingError, ImagingError } from "./imaging-error";
import { PlaneCollector } from "./planes";
import { VolumeAccumulator, type VolumeStats } from "./volume-stats";

export type IndexedSeries = Omit<DicomSeries, "slices"> & VolumeStats & { files: string[]; fileSha256: string[]; bytes: number; tags: DicomTags; deidentified: boolean | null; planes: PlaneCollector };

export async function readHeaders(files: { path: string; size: number }[]) {
  const headers: DicomHeader[] = [];
  const problems: FileProblem[] = [];
  for (const f of files) {
    try {
      const { header } = await readDicomHeader(f.path, f.size);
      assertSupportedSyntax(header.transferSyntax);
      headers.push(header);
    } catch (e) {
      problems.push({ file: f.path, error: asImagingError(e) });
    }
  }
  return { headers, problems };
}

export { asImagingError };

/** Statistics over an assembled series' voxels. A slice that can't be decoded fails the whole series. */
export async function indexSeries(s: DicomSeries, sizes: Map<string, number>, signal?: AbortSignal): Promise<IndexedSeries> {
  const acc = new VolumeAccumulator(s.dims, s.affine);
  const planes = new PlaneCollector(s.dims, s.affine, s.spacing);
  const out = new Float32Array(s.dims[0] * s.dims[1]);
  let bytes = 0;
  const fileSha256: string[] = [];
  for (const h of s.slices) {
    if (signal?.aborted) throw signal.reason;
    const size = sizes.get(h.file) ?? 0;
    const fh = await open(h.file, READ_FLAGS);
    const buf = Buffer.alloc(size);
    try {
      const { bytesRead } = await fh.read(buf, 0, size, 0);
      if (bytesRead < size) throw new ImagingError("truncated", `${h.file} shrank while it was read`);
    } finally {
      await fh.close();
    }
    fileSha256.push(createHash("sha256").update(buf).digest("hex"));
    await decodeFrame(h, new Uint8Array(buf.buffer, 0, size), out);
    acc.addSlice(out);
    planes.addSlice(out, fileSha256.length - 1);
    bytes += size;
  }
  const { slices, ...geometry } = s;
  const first = slices[0];
  return {
    ...geometry,
    ...acc.finish(),
    files: slices.map((h) => h.file),
    fileSha256,
    bytes,
    tags: first.tags,
    deidentified: first.tags.patientIdentityRemoved,
    planes,
  };
}

export { assembleSeries, groupSeries };
