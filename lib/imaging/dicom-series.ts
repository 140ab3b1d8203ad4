// DICOM files → series → one volume each: grouped by SeriesInstanceUID (or, where a de-identifier emptied it, by
// folder, study, series number and frame geometry), non-CT and localizer images set aside with their reason,
// slices ordered by ImagePositionPatient along the ImageOrientationPatient normal, and the geometry checked:
// one orientation, one frame size, no two slices at one place, no gap that is a whole number of slices missing.
import path from "node:path";
import { affineSpacing, orientationCode, type Affine } from "./geometry";
import { ImagingError, MAX_AXIS, MAX_VOXELS } from "./imaging-error";
import type { DicomHeader } from "./dicom-header";

export type FileProblem = { file: string; error: ImagingError };

export type DicomSeries = {
  key: string;
  slices: DicomHeader[]; // ordered along the normal, inferior → superior for axial LPS
  dims: [number, number, number];
  spacing: [number, number, number];
  affine: Affine; // RAS
  orientation: string;
  warnings: string[];
};

const CT_STORAGE = new Set(["1.2.840.10008.5.1.4.1.1.2", "1.2.840.10008.5.1.4.1.1.2.1", "1.2.840.10008.5.1.4.1.1.2.2"]);

function seriesKey(h: DicomHeader) {
  if (h.seriesUid) return `uid:${h.seriesUid}`;
  return `dir:${path.dirname(h.file)}|${h.studyUid}|${h.seriesNumber}|${h.rows}x${h.columns}`;
}

export function groupSeries(headers: DicomHeader[]): { series: DicomHeader[][]; problems: FileProblem[] } {
  const problems: FileProblem[] = [];
  const groups = new Map<string, DicomHeader[]>();
  for (const h of headers) {
    // Modality decides; the SOP class only where a de-identifier emptied it.
    const ct = h.modality ? h.modality === "CT" : CT_STORAGE.has(h.sopClass);
    if (!ct) {
      problems.push({ file: h.file, error: new ImagingError("not_ct", `modality ${h.modality || "(none)"}, not CT`) });
      continue;
    }
    if (h.imageType.includes("LOCALIZER")) {
      problems.push({ file: h.file, error: new ImagingError("not_ct", "a localizer (scout) image, not part of a volume") });
      continue;
    }
    const k = seriesKey(h);
    const g = groups.get(k) ?? [];
    g.push(h);
    groups.set(k, g);
  }
  return { series: [...groups.values()], problems };
}

const cross = (a: number[], b: number[]) => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const dot = (a: number[], b: number[]) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

/** Orders and checks one series; throws an ImagingError naming the series' problem. */
export function assembleSeries(files: DicomHeader[]): DicomSeries {
  const first = files[0];
  for (const h of files) {
    if (h.frames > 1) throw new ImagingError("unsupported", `a multi-frame image (${h.frames} frames): only one frame per file is indexed`);
    if (h.samplesPerPixel !== 1) throw new ImagingError("unsupported", `${h.samplesPerPixel} samples per pixel: not a greyscale CT image`);
    if (!h.orientation || !h.position || !h.pixelSpacing) throw new ImagingError("bad_geometry", `${path.basename(h.file)} lacks ImageOrientationPatient, ImagePositionPatient or PixelSpacing`);
    if (!(h.pixelSpacing[0] > 0 && h.pixelSpacing[1] > 0)) throw new ImagingError("bad_geometry", `PixelSpacing ${h.pixelSpacing.join("\\")} in ${path.basename(h.file)}: it must be positive`);
    if (h.rows !== first.rows || h.columns !== first.columns) {
      throw new ImagingError("series_inconsistent", `frame sizes differ within the series (${first.rows}×${first.columns} and ${h.rows}×${h.columns})`);
    }
    if (h.orientation.some((v, i) => Math.abs(v - first.orientation![i]) > 1e-3)) {
      throw new ImagingError("series_inconsistent", `mixed orientations in one series (${first.orientation!.join("\\")} and ${h.orientation.join("\\")})`);
    }
  }
  if (first.rows < 1 || first.columns < 1) throw new ImagingError("bad_geometry", `a ${first.rows}×${first.columns} frame`);
  if (first.rows > MAX_AXIS || first.columns > MAX_AXIS || files.length > MAX_AXIS) {
    throw new ImagingError("too_large", `${first.columns}×${first.rows}×${files.length} voxels: more than ${MAX_AXIS} on an axis`);
  }
  if (first.rows * first.columns * files.length > MAX_VOXELS) throw new ImagingError("too_large", `${first.columns}×${first.rows}×${files.length} voxels is more than ${MAX_VOXELS}`);
  const row = first.orientation!.slice(0, 3);
  const col = first.orientation!.slice(3, 6);
  const normal = cross(row, col);
  if (Math.hypot(...normal) < 0.5) throw new ImagingError("bad_geometry", "ImageOrientationPatient's row and column directions are not perpendicular unit vectors");
  const slices = files.map((h) => ({ h, d: dot(h.position!, normal) })).sort((a, b) => a.d - b.d);
  const gaps = slices.slice(1).map((s, i) => s.d - slices[i].d);
  const warnings: string[] = [];
  const dup = gaps.findIndex((g) => g < 1e-3);
  if (dup >= 0) {
    throw new ImagingError("series_inconsistent", `two slices at one position (${path.basename(slices[dup].h.file)} and ${path.basename(slices[dup + 1].h.file)})`);
  }
  const sorted = [...gaps].sort((a, b) => a - b);
  const median = sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : (first.spacingBetweenSlices ?? first.sliceThickness ?? 1);
  for (const [i, g] of gaps.entries()) {
    const k = Math.round(g / median);
    if (k >= 2 && Math.abs(g / median - k) < 0.1) {
      throw new ImagingError(
        "missing_slices",
        `about ${k - 1} slice(s) missing between ${path.basename(slices[i].h.file)} and ${path.basename(slices[i + 1].h.file)} (a ${g.toFixed(2)} mm gap where slices are ${median.toFixed(2)} mm apart)`,
      );
    }
  }
  if (gaps.length && sorted[sorted.length - 1] - sorted[0] > 0.01 * median + 1e-3) {
    warnings.push(`slice spacing varies from ${sorted[0].toFixed(2)} to ${sorted[sorted.length - 1].toFixed(2)} mm`);
  }
  const [rowSpacing, colSpacing] = first.pixelSpacing!;
  const p0 = slices[0].h.position!;
  const pn = slices[slices.length - 1].h.position!;
  const n = slices.length;
  // Slice step: from first to last position (follows a gantry tilt's shear); a single slice steps along the normal.
  const step = n > 1 ? [0, 1, 2].map((i) => (pn[i] - p0[i]) / (n - 1)) : normal.map((v) => v * median);
  // LPS → RAS: negate x and y.
  const flip = [-1, -1, 1];
  const affine: Affine = [
    ...[0, 1, 2].map((i) => [flip[i] * row[i] * colSpacing, flip[i] * col[i] * rowSpacing, flip[i] * step[i], flip[i] * p0[i]]),
    [0, 0, 0, 1],
  ];
  const sp = affineSpacing(affine);
  return {
    key: seriesKey(first),
    slices: slices.map((s) => s.h),
    dims: [first.columns, first.rows, n],
    spacing: [round6(sp[0]), round6(sp[1]), round6(median)],
    affine,
    orientation: orientationCode(affine),
    warnings,
  };
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
