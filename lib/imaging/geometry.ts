// Voxel-to-world geometry in RAS+ millimetres (NIfTI's convention; DICOM's LPS is converted on the way in).
// Orientation codes follow nibabel's aff2axcodes: for each voxel axis, the world axis it runs closest to and the
// direction it points (+x is R, +y is A, +z is S).
export type Affine = number[][]; // 4×4, row-major

const LABELS = [["L", "R"], ["P", "A"], ["I", "S"]] as const;

/** For each voxel axis: the world axis it maps to (0..2) and whether it runs towards + (R/A/S). */
export function axisMap(affine: Affine): { world: number; positive: boolean }[] {
  const used = new Set<number>();
  const out: { world: number; positive: boolean }[] = [];
  // Strongest components first, so an oblique axis can't steal another axis's world direction.
  const order = [0, 1, 2].sort((a, b) => maxAbs(affine, b) - maxAbs(affine, a));
  const picked: Record<number, { world: number; positive: boolean }> = {};
  for (const axis of order) {
    let best = -1;
    for (let w = 0; w < 3; w++) if (!used.has(w) && (best < 0 || Math.abs(affine[w][axis]) > Math.abs(affine[best][axis]))) best = w;
    used.add(best);
    picked[axis] = { world: best, positive: affine[best][axis] >= 0 };
  }
  for (let a = 0; a < 3; a++) out.push(picked[a]);
  return out;
}

function maxAbs(affine: Affine, axis: number) {
  const len = Math.hypot(affine[0][axis], affine[1][axis], affine[2][axis]) || 1;
  return Math.max(...[0, 1, 2].map((w) => Math.abs(affine[w][axis]) / len));
}

export function orientationCode(affine: Affine): string {
  return axisMap(affine)
    .map((m) => LABELS[m.world][m.positive ? 1 : 0])
    .join("");
}

/** Column lengths of the 3×3 part: the voxel spacing the affine implies. */
export function affineSpacing(affine: Affine): number[] {
  return [0, 1, 2].map((a) => Math.hypot(affine[0][a], affine[1][a], affine[2][a]));
}

export function isFiniteAffine(affine: Affine) {
  return affine.every((row) => row.every(Number.isFinite)) && Math.abs(det3(affine)) > 1e-9;
}

function det3(m: Affine) {
  return (
    m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
    m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
    m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
  );
}

/** World (mm) of a voxel index. */
export function voxelToWorld(affine: Affine, ijk: number[]) {
  return [0, 1, 2].map((r) => affine[r][0] * ijk[0] + affine[r][1] * ijk[1] + affine[r][2] * ijk[2] + affine[r][3]);
}
