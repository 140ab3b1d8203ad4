// DICOM files → series → one volume each: grouped by SeriesInstanceUID (or, where a de-identifier emptied it, by
// folder, study, series number and frame geometry), non-CT and localizer images set aside with their reason,
// slices ordered by ImagePositionPatient along the ImageOrientationPatient normal, and the geometry checked:
// one orientation, one frame size, no two slices at one place, no gap that is a whole number of slices missing, one
// spacing; a gantry-tilted series is put on an orthogonal grid (tilt.ts).
import path from "node:path";
import { affineSpacing, orientationCode, type Affine } from "./geometry";
import { ImagingError, MAX_AXIS, MAX_VOXELS } from "./imaging-error";
import type { DicomHeader } from "./dicom-header";
import { SHEAR_TOLERANCE, shearGrid, type ShearPlan } from "./tilt";

export type FileProblem = { file: string; error: ImagingError };

export type DicomSeries = {
  key: string;
  slices: DicomHeader[]; // ordered along the normal, inferior → superior for axial LPS
  dims: [number, number, number];
  spacing: [number, number, number];
  affine: Affine; // RAS
  orientation: string;
  /** How a gantry-tilted series is put on its orthogonal grid (tilt.ts); null when its slices stack straight. */
  shear: ShearPlan | null;
  warnings: string[];
};

/** Gaps along the normal may differ from their median by this much (dcm2niix's tolerance), or 10 % when less. */
const SPACING_TOLERANCE_MM = 0.2;

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
      throw new ImagingError("series_inconsistent", `mixed orientations in one series: ${path.basename(first.file)} is ${first.orientation!.join("\\")}, ${path.basename(h.file)} is ${h.orientation.join("\\")}`);
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
  // dcm2niix resamples such a series to even spacing (its _Eq file): here it is refused, since one grid would
  // invent slices between, and a change of spacing usually means two reconstructions stacked in one series.
  const uneven = gaps.findIndex((g) => Math.abs(g - median) > Math.min(SPACING_TOLERANCE_MM, 0.1 * median));
  if (uneven >= 0) {
    const at = (i: number) => path.basename(slices[i].h.file);
    throw new ImagingError(
      "series_inconsistent",
      `slice spacing is not uniform: slices are ${median.toFixed(2)} mm apart, but ${at(uneven)} to ${at(uneven + 1)} is ${gaps[uneven].toFixed(2)} mm (spacing from ${sorted[0].toFixed(2)} to ${sorted[sorted.length - 1].toFixed(2)} mm): one volume needs one spacing`,
    );
  }
  const [rowSpacing, colSpacing] = first.pixelSpacing!;
  const p0 = slices[0].h.position!;
  const pn = slices[slices.length - 1].h.position!;
  const n = slices.length;
  // In-plane offset of each slice against the first, in voxels along x (row direction) and y (column direction):
  // a gantry tilt shifts every slice a little further along y.
  const offsets = slices.map(({ h }) => {
    const d = [0, 1, 2].map((i) => h.position![i] - p0[i]);
    return [dot(d, row) / colSpacing, dot(d, col) / rowSpacing] as [number, number];
  });
  const sheared = offsets.some(([x, y]) => Math.abs(x) >= SHEAR_TOLERANCE || Math.abs(y) >= SHEAR_TOLERANCE);
  let step: number[];
  let origin = p0;
  let size: [number, number] = [first.columns, first.rows];
  let shear: ShearPlan | null = null;
  if (sheared) {
    // An orthogonal grid (as dcm2niix's tilt correction): slices along the normal, each moved back in its plane.
    const grid = shearGrid(offsets, size);
    // Positions decide the growth: a header can claim any shear, so the grown frame meets the same limits.
    if (grid.size[0] > MAX_AXIS || grid.size[1] > MAX_AXIS || grid.size[0] * grid.size[1] * n > MAX_VOXELS) {
      throw new ImagingError("too_large", `the slices' in-plane offsets would widen the frame to ${grid.size[0]}×${grid.size[1]}: more than ${MAX_AXIS} on an axis or ${MAX_VOXELS} voxels`);
    }
    const along = dot([0, 1, 2].map((i) => pn[i] - p0[i]), normal) / (n - 1);
    step = normal.map((v) => v * along);
    origin = [0, 1, 2].map((i) => p0[i] - grid.low[0] * row[i] * colSpacing - grid.low[1] * col[i] * rowSpacing);
    const integral = Number.isInteger(first.slope) && Number.isInteger(first.intercept);
    shear = { source: size, shifts: grid.shifts, paddingHu: first.pixelPadding === null ? null : first.pixelPadding * first.slope + first.intercept, integral: integral ? { slope: first.slope, intercept: first.intercept } : null };
    const inPlane = Math.hypot(...[0, 1, 2].map((i) => (pn[i] - p0[i]) / (n - 1) - step[i]));
    warnings.push(`gantry tilt of ${((Math.atan2(inPlane, along) * 180) / Math.PI).toFixed(1)}°: resampled to an orthogonal grid as dcm2niix does (${size[0]}×${size[1]} slices became ${grid.size[0]}×${grid.size[1]})`);
    size = grid.size;
  } else {
    // Slice step from first to last position; a single slice steps along the normal by its spacing (as dcm2niix and
    // nibabel take it: SpacingBetweenSlices, else SliceThickness).
    step = n > 1 ? [0, 1, 2].map((i) => (pn[i] - p0[i]) / (n - 1)) : normal.map((v) => v * median);
  }
  // LPS → RAS: negate x and y.
  const flip = [-1, -1, 1];
  const affine: Affine = [
    ...[0, 1, 2].map((i) => [flip[i] * row[i] * colSpacing, flip[i] * col[i] * rowSpacing, flip[i] * step[i], flip[i] * origin[i]]),
    [0, 0, 0, 1],
  ];
  return {
    key: seriesKey(first),
    slices: slices.map((s) => s.h),
    dims: [size[0], size[1], n],
    // The affine's own voxel sizes: what the API shows is what the exported NIfTI and the trainer read.
    spacing: affineSpacing(affine).map(round6) as [number, number, number],
    affine,
    orientation: orientationCode(affine),
    shear,
    warnings,
  };
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
