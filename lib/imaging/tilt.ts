// A gantry-tilted series (each slice shifted in its own plane against the one before) put on an orthogonal grid, as
// dcm2niix does: every slice is moved back by its in-plane offset with linear interpolation, the frame grows by the
// largest offset so nothing is cut, and voxels outside the scanned field get the padding value (or the volume's
// darkest value). Near a padding voxel the nearest sample is taken, so padding never blends into tissue. One grid,
// one spacing: the API, the previews, the exported NIfTI and the trainer all see the same volume.

/** What resampling a sheared series needs; null for a series whose slices stack straight. */
export type ShearPlan = {
  /** Stored frame (columns, rows) before the grid grows. */
  source: [number, number];
  /** Per slice, where its first voxel lands on the output grid (x, y), in voxels. */
  shifts: [number, number][];
  /** The scaled PixelPaddingValue, or null (the volume's darkest value fills then). */
  paddingHu: number | null;
  /** Scaling of integral stored values: results are rounded in stored units, as dcm2niix's int16 output is. */
  integral: { slope: number; intercept: number } | null;
};

/** Offsets below this (in voxels, over the whole series) are rounding in the positions, not a tilt. */
export const SHEAR_TOLERANCE = 0.1;

/** Output frame size and the offset of the stored frame for per-slice in-plane offsets (voxels along x and y). */
export function shearGrid(offsets: [number, number][], source: [number, number]) {
  const low = [0, 1].map((a) => Math.ceil(Math.max(0, -Math.min(...offsets.map((o) => o[a]))) - 1e-6));
  const high = [0, 1].map((a) => Math.ceil(Math.max(0, Math.max(...offsets.map((o) => o[a]))) - 1e-6));
  const size: [number, number] = [source[0] + low[0] + high[0], source[1] + low[1] + high[1]];
  const shifts = offsets.map((o) => [o[0] + low[0], o[1] + low[1]] as [number, number]);
  return { size, low: low as [number, number], shifts };
}

// C's round (half away from zero), as dcm2niix rounds.
const roundC = (x: number) => (x < 0 ? -Math.round(-x) : Math.round(x));

/** Writes slice k of the resampled volume into `out` (size[0] × size[1], x fastest) from the stored slice `input`. */
export function resampleSlice(plan: ShearPlan, size: [number, number], fill: number, k: number, input: Float32Array, out: Float32Array) {
  const [nx, ny] = plan.source;
  const [sx, sy] = plan.shifts[k];
  const pad = plan.paddingHu;
  const round = plan.integral ? (v: number) => roundC((v - plan.integral!.intercept) / plan.integral!.slope) * plan.integral!.slope + plan.integral!.intercept : null;
  out.fill(fill);
  for (let y = 0; y < size[1]; y++) {
    const yi = y - sy;
    if (!(yi >= 0 && yi < ny)) continue;
    const y0 = Math.floor(yi);
    const y1 = Math.min(y0 + 1, ny - 1);
    const fy = yi - y0;
    for (let x = 0; x < size[0]; x++) {
      const xi = x - sx;
      if (!(xi >= 0 && xi < nx)) continue;
      const x0 = Math.floor(xi);
      const x1 = Math.min(x0 + 1, nx - 1);
      const fx = xi - x0;
      const a = input[y0 * nx + x0];
      const b = input[y0 * nx + x1];
      const c = input[y1 * nx + x0];
      const d = input[y1 * nx + x1];
      let v: number;
      // Only samples that carry weight count: a whole-voxel shift along x is dcm2niix's one-dimensional case exactly.
      if (pad !== null && (a === pad || (fx > 0 && b === pad) || (fy > 0 && c === pad) || (fx > 0 && fy > 0 && d === pad))) {
        v = fy >= 0.5 ? (fx >= 0.5 ? d : c) : fx >= 0.5 ? b : a;
      } else {
        v = (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy;
        if (round) v = round(v);
      }
      out[y * size[0] + x] = v;
    }
  }
}
