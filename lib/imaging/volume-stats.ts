// One pass over a volume's voxels, slice by slice, in the values the scanner meant (after slope and intercept):
// HU minimum, maximum, p1 and p99 from a 1-HU histogram, and a hash of the voxel content that is the same for
// the same scan however it was stored. Memory is one slice and the histogram (512 KiB), whatever the volume size.
//
// The voxel hash: each slice is put in canonical RAS order in-plane (x fastest), its float32 values hashed; the
// volume hash covers the canonical dimensions and the slice hashes in inferior→superior order. So NIfTI and
// DICOM, int16 with an intercept or float32 HU, gzip or not, LPS or RAS storage all give one hash. It needs the
// stored slice axis to run inferior–superior (every axial CT); a volume stored in sagittal or coronal slices
// gets a hash of its stored order instead, marked by a different prefix, so it never falsely matches.
import { HU_BIN_LOW, HU_BIN_WIDTH, HU_BINS } from "./hu-bins";
import { createHash } from "node:crypto";
import { axisMap, type Affine } from "./geometry";

const LOW = -32768;
const BINS = 65536;

export type VolumeStats = {
  huMin: number | null;
  huMax: number | null;
  huP1: number | null;
  huP99: number | null;
  huMean: number | null;
  nanCount: number;
  looksLikeHu: boolean;
  voxelHash: string;
  /** Voxel counts in HU_BINS bins of HU_BIN_WIDTH from HU_BIN_LOW; the ends hold everything beyond. */
  huHistogram: number[];
};

export { HU_BIN_LOW, HU_BIN_WIDTH, HU_BINS };

export class VolumeAccumulator {
  private readonly hist = new Float64Array(BINS);
  private min = Infinity;
  private max = -Infinity;
  private sum = 0;
  private count = 0;
  private nan = 0;
  private readonly sliceDigests: Buffer[] = [];
  private readonly canonical: Float32Array | null;
  private readonly plan: { transpose: boolean; flip0: boolean; flip1: boolean; flipZ: boolean; axial: boolean };
  private readonly nx: number;
  private readonly ny: number;

  constructor(private readonly dims: [number, number, number], affine: Affine) {
    const [a0, a1, a2] = axisMap(affine);
    const axial = a2.world === 2;
    this.plan = { axial, transpose: axial && a0.world === 1, flip0: axial && !a0.positive, flip1: axial && !a1.positive, flipZ: axial && !a2.positive };
    [this.nx, this.ny] = dims;
    const identity = !this.plan.transpose && !this.plan.flip0 && !this.plan.flip1;
    this.canonical = identity ? null : new Float32Array(this.nx * this.ny);
  }

  /** One stored slice (axis 2 index k, in file order), values already scaled. */
  addSlice(values: Float32Array) {
    const hist = this.hist;
    let min = this.min;
    let max = this.max;
    let sum = 0;
    let nan = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v !== v) {
        nan++;
        continue;
      }
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
      let b = Math.floor(v) - LOW;
      if (b < 0) b = 0;
      else if (b >= BINS) b = BINS - 1;
      hist[b]++;
    }
    this.min = min;
    this.max = max;
    this.sum += sum;
    this.nan += nan;
    this.count += values.length - nan;
    this.sliceDigests.push(createHash("sha256").update(this.canonicalize(values)).digest());
  }

  private canonicalize(values: Float32Array): Uint8Array {
    const out = this.canonical;
    if (!out) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    const { nx, ny } = this;
    const { transpose, flip0, flip1 } = this.plan;
    for (let j = 0; j < ny; j++) {
      const jj = flip1 ? ny - 1 - j : j;
      for (let i = 0; i < nx; i++) {
        const ii = flip0 ? nx - 1 - i : i;
        out[transpose ? ii * ny + jj : jj * nx + ii] = values[j * nx + i];
      }
    }
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }

  finish(): VolumeStats {
    const digests = this.plan.flipZ ? [...this.sliceDigests].reverse() : this.sliceDigests;
    const [nx, ny, nz] = this.dims;
    const shape = this.plan.transpose ? [ny, nx, nz] : [nx, ny, nz];
    const h = createHash("sha256").update(`hounsfield-voxels-v1 ${this.plan.axial ? "ras" : "stored"} ${shape.join("x")}\n`);
    for (const d of digests) h.update(d);
    const voxelHash = `${this.plan.axial ? "" : "stored:"}${h.digest("hex")}`;
    if (!this.count) return { huMin: null, huMax: null, huP1: null, huP99: null, huMean: null, nanCount: this.nan, looksLikeHu: false, voxelHash, huHistogram: [] };
    const huP1 = this.quantile(0.01);
    const huP99 = this.quantile(0.99);
    return {
      huMin: this.min,
      huMax: this.max,
      huP1,
      huP99,
      huMean: this.sum / this.count,
      nanCount: this.nan,
      looksLikeHu: looksLikeHu(this.min, this.max, huP1, huP99),
      voxelHash,
      huHistogram: this.coarse(),
    };
  }

  private coarse() {
    const out = new Array<number>(HU_BINS).fill(0);
    for (let b = 0; b < BINS; b++) {
      const n = this.hist[b];
      if (!n) continue;
      const k = Math.floor((b + LOW - HU_BIN_LOW) / HU_BIN_WIDTH);
      out[Math.min(HU_BINS - 1, Math.max(0, k))] += n;
    }
    return out;
  }

  /** The value at sorted index floor(q·(n−1)) (numpy's "lower" percentile), to 1 HU; exact for integer data. */
  private quantile(q: number) {
    const rank = Math.floor(q * (this.count - 1));
    let seen = 0;
    for (let b = 0; b < BINS; b++) {
      seen += this.hist[b];
      if (seen > rank) return Math.min(Math.max(b + LOW, Math.floor(this.min)), this.max);
    }
    return this.max;
  }
}

/** CT in Hounsfield units has air near −1000 (below the body or in the lungs) and nothing below the padding
 * values scanners use (down to −3024); raw stored values whose intercept was never applied start at 0, and MR or
 * PET are non-negative, so they fail the air test. */
export function looksLikeHu(min: number, max: number, p1: number, p99: number) {
  return min >= -3100 && max <= 40000 && p1 < -300 && p99 > -200;
}
