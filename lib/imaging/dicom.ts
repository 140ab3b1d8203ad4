// Indexing DICOM: headers of every file (start of each file only), grouped into series, then each series' voxels
// in one pass, one slice in memory at a time.
import { createHash } from "node:crypto";
import { readDicomHeader, type DicomHeader, type DicomTags } from "./dicom-header";
import { assertSupportedSyntax } from "./dicom-pixels";
import { assembleSeries, groupSeries, type DicomSeries, type FileProblem } from "./dicom-series";
import { asImagingError } from "./imaging-error";
import { PlaneCollector } from "./planes";
import { seriesSlices } from "./dicom-volume";
import { VolumeAccumulator, type VolumeStats } from "./volume-stats";

export type IndexedSeries = Omit<DicomSeries, "slices" | "shear"> & VolumeStats & { files: string[]; fileSha256: string[]; bytes: number; tags: DicomTags; deidentified: boolean | null; planes: PlaneCollector };

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
  let bytes = 0;
  const fileSha256: string[] = [];
  for await (const { values, file } of seriesSlices(s, sizes, signal)) {
    fileSha256.push(createHash("sha256").update(file).digest("hex"));
    acc.addSlice(values);
    planes.addSlice(values, fileSha256.length - 1);
    bytes += file.length;
  }
  const { slices, shear: _shear, ...geometry } = s;
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
