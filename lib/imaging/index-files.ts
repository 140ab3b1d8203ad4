// A batch of files → volumes: NIfTI files one volume each, DICOM files grouped into series. Every file that
// can't be indexed comes back as a problem with its reason; the rest of the batch goes on.
import { READ_FLAGS } from "./read-file";
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import { asImagingError, assembleSeries, groupSeries, indexSeries, readHeaders } from "./dicom";
import { dicomLayout } from "./dicom-file";
import type { DicomTags } from "./dicom-header";
import type { FileProblem } from "./dicom-series";
import type { Affine } from "./geometry";
import { ImagingError } from "./imaging-error";
import { indexNifti } from "./nifti";
import type { PlaneCollector } from "./planes";

export type IndexedVolume = {
  format: "nifti1" | "nifti2" | "dicom";
  files: string[];
  /** sha256 of each file as stored; `sha256` is the file's (NIfTI) or that of the slice hashes in order (DICOM). */
  fileSha256: string[];
  sha256: string;
  bytes: number;
  dims: [number, number, number];
  spacing: [number, number, number];
  affine: Affine;
  orientation: string;
  datatype: string;
  slope: number;
  intercept: number;
  huMin: number | null;
  huMax: number | null;
  huP1: number | null;
  huP99: number | null;
  huMean: number | null;
  looksLikeHu: boolean;
  voxelHash: string;
  huHistogram: number[];
  /** Mid-planes for previews. */
  planes: PlaneCollector;
  tags: DicomTags | null;
  deidentified: boolean | null;
  warnings: string[];
};

export type InputFile = { path: string; size: number };

export type FileKind = "nifti" | "dicom" | "unknown";

/** What a file is, from its name and (for DICOM, which often has no extension) its first bytes: the preamble, or
 * a meta header or data set that starts without one. */
export async function fileKind(f: InputFile): Promise<FileKind> {
  const lower = f.path.toLowerCase();
  if (lower.endsWith(".nii") || lower.endsWith(".nii.gz")) return "nifti";
  if (lower.endsWith(".dcm")) return "dicom";
  if (f.size < 12) return "unknown";
  const fh = await open(f.path, READ_FLAGS);
  try {
    const b = Buffer.alloc(132);
    const { bytesRead } = await fh.read(b, 0, 132, 0);
    return dicomLayout(b.subarray(0, bytesRead)) ? "dicom" : "unknown";
  } finally {
    await fh.close();
  }
}

export async function indexOneNifti(f: InputFile, signal?: AbortSignal): Promise<IndexedVolume> {
  const r = await indexNifti(f.path, f.size, signal);
  return {
    format: r.format,
    files: [f.path],
    fileSha256: [r.sha256],
    sha256: r.sha256,
    bytes: f.size,
    dims: r.dims,
    spacing: r.spacing,
    affine: r.affine,
    orientation: r.orientation,
    datatype: r.datatype,
    slope: r.slope,
    intercept: r.intercept,
    huMin: r.huMin,
    huMax: r.huMax,
    huP1: r.huP1,
    huP99: r.huP99,
    huMean: r.huMean,
    looksLikeHu: r.looksLikeHu,
    voxelHash: r.voxelHash,
    huHistogram: r.huHistogram,
    planes: r.planes,
    tags: null,
    deidentified: null,
    warnings: r.nanCount ? [`${r.nanCount} voxels are NaN`] : [],
  };
}

/** Indexes DICOM files as series; a failed series reports each of its files with the series' reason. */
export async function indexDicomFiles(files: InputFile[], signal?: AbortSignal) {
  const { headers, problems } = await readHeaders(files);
  const grouped = groupSeries(headers);
  problems.push(...grouped.problems);
  const sizes = new Map(files.map((f) => [f.path, f.size]));
  const volumes: IndexedVolume[] = [];
  for (const members of grouped.series) {
    try {
      const s = await indexSeries(assembleSeries(members), sizes, signal);
      volumes.push({
        format: "dicom",
        files: s.files,
        fileSha256: s.fileSha256,
        sha256: createHash("sha256").update(s.fileSha256.join("\n")).digest("hex"),
        bytes: s.bytes,
        dims: s.dims,
        spacing: s.spacing,
        affine: s.affine,
        orientation: s.orientation,
        datatype: `${members[0].pixelRepresentation ? "int" : "uint"}${members[0].bitsAllocated}`,
        slope: members[0].slope,
        intercept: members[0].intercept,
        huMin: s.huMin,
        huMax: s.huMax,
        huP1: s.huP1,
        huP99: s.huP99,
        huMean: s.huMean,
        looksLikeHu: s.looksLikeHu,
        voxelHash: s.voxelHash,
        huHistogram: s.huHistogram,
        planes: s.planes,
        tags: s.tags,
        deidentified: s.deidentified,
        warnings: s.warnings,
      });
    } catch (e) {
      if (signal?.aborted) throw e;
      const err = asImagingError(e);
      for (const m of members) problems.push({ file: m.file, error: err });
    }
  }
  return { volumes, problems };
}

/** Indexes a mixed batch. */
export async function indexFiles(files: InputFile[], signal?: AbortSignal): Promise<{ volumes: IndexedVolume[]; problems: FileProblem[] }> {
  const volumes: IndexedVolume[] = [];
  const problems: FileProblem[] = [];
  const dicom: InputFile[] = [];
  for (const f of files) {
    try {
      const kind = f.size === 0 ? "empty" : await fileKind(f);
      if (kind === "empty") throw new ImagingError("empty", "the file is empty");
      if (kind === "unknown") throw new ImagingError("not_a_volume", "neither NIfTI (.nii, .nii.gz) nor DICOM");
      if (kind === "dicom") dicom.push(f);
      else volumes.push(await indexOneNifti(f, signal));
    } catch (e) {
      if (signal?.aborted) throw e;
      problems.push({ file: f.path, error: asImagingError(e) });
    }
  }
  if (dicom.length) {
    const d = await indexDicomFiles(dicom, signal);
    volumes.push(...d.volumes);
    problems.push(...d.problems);
  }
  return { volumes, problems };
}
