// Three orthogonal mid-planes of a volume, collected in the same streaming pass as the statistics (one slice in
// memory), then shown the way radiologists look at them: axial from the feet (patient's right on the image's
// left, anterior up), coronal from the front (right on the left, superior up), sagittal from the right side
// (anterior on the left, superior up), with square pixels, in a CT window.
import { PNG } from "pngjs";
import { axisMap, type Affine } from "./geometry";

export const WINDOWS = { lung: { width: 1500, level: -600 }, soft: { width: 400, level: 40 }, bone: { width: 1800, level: 400 } } as const;
export type WindowName = keyof typeof WINDOWS;
export const PLANES = ["axial", "coronal", "sagittal"] as const;
export type PlaneName = (typeof PLANES)[number];

const MAX_SIDE = 512;

type Plane = { data: Float32Array; w: number; h: number; axes: [number, number] }; // axes: stored axes along w and h

export class PlaneCollector {
  private readonly mid: number[];
  /** Planes perpendicular to stored axis 0, 1 and 2. */
  private readonly byAxis: Plane[];

  constructor(private readonly dims: [number, number, number], private readonly affine: Affine, private readonly spacing: [number, number, number]) {
    const [nx, ny, nz] = dims;
    // The middle voxel toward the world's lower end on even axes, so a volume stored the other way round shows the
    // same anatomy (not a neighbouring slice).
    const map = axisMap(affine);
    this.mid = dims.map((d, a) => (map[a].positive ? Math.floor((d - 1) / 2) : Math.ceil((d - 1) / 2)));
    this.byAxis = [
      { data: new Float32Array(ny * nz), w: ny, h: nz, axes: [1, 2] },
      { data: new Float32Array(nx * nz), w: nx, h: nz, axes: [0, 2] },
      { data: new Float32Array(nx * ny), w: nx, h: ny, axes: [0, 1] },
    ];
  }

  /** Slice k of the stored axis 2, in file order (x fastest). */
  addSlice(values: Float32Array, k: number) {
    const [nx, ny] = this.dims;
    const [mx, my, mz] = this.mid;
    const p0 = this.byAxis[0].data;
    const p1 = this.byAxis[1].data;
    for (let j = 0; j < ny; j++) p0[k * ny + j] = values[j * nx + mx];
    p1.set(values.subarray(my * nx, my * nx + nx), k * nx);
    if (k === mz) this.byAxis[2].data.set(values.subarray(0, nx * ny));
  }

  /** Slice k away from the middle: only its row and column through the middle are kept, so a caller that can
   * read those few voxels skips converting the rest of the slice. */
  addRowAndColumn(k: number, row: ArrayLike<number>, column: ArrayLike<number>) {
    const [nx, ny] = this.dims;
    this.byAxis[1].data.set(row as ArrayLike<number>, k * nx);
    this.byAxis[0].data.set(column as ArrayLike<number>, k * ny);
  }

  get middleSlice() {
    return this.mid[2];
  }

  get middle() {
    return { x: this.mid[0], y: this.mid[1] };
  }

  /** The planes in a compact form for the blob store: a JSON header, then int16 HU (rounded, clamped). */
  serialize(): Buffer {
    const head = Buffer.from(JSON.stringify({ v: 1, dims: this.dims, affine: this.affine, spacing: this.spacing }));
    const parts = this.byAxis.map((p) => {
      const out = new Int16Array(p.data.length);
      for (let i = 0; i < p.data.length; i++) {
        const x = Math.round(p.data[i]);
        out[i] = x !== x ? -1024 : x < -32768 ? -32768 : x > 32767 ? 32767 : x;
      }
      return Buffer.from(out.buffer);
    });
    const len = Buffer.alloc(4);
    len.writeUInt32LE(head.length);
    return Buffer.concat([len, head, ...parts]);
  }

  static deserialize(buf: Buffer): PlaneCollector {
    const n = buf.readUInt32LE(0);
    const head = JSON.parse(buf.subarray(4, 4 + n).toString()) as { dims: [number, number, number]; affine: Affine; spacing: [number, number, number] };
    const c = new PlaneCollector(head.dims, head.affine, head.spacing);
    let off = 4 + n;
    for (const p of c.byAxis) {
      const bytes = buf.subarray(off, off + p.data.length * 2);
      const aligned = new Int16Array(p.data.length);
      Buffer.from(aligned.buffer).set(bytes);
      for (let i = 0; i < aligned.length; i++) p.data[i] = aligned[i];
      off += p.data.length * 2;
    }
    return c;
  }

  /** The three views as PNGs in one window. */
  render(window: WindowName): Record<PlaneName, Buffer> {
    const out = {} as Record<PlaneName, Buffer>;
    for (const name of PLANES) out[name] = this.renderOne(name, window);
    return out;
  }

  renderOne(name: PlaneName, window: WindowName): Buffer {
    const map = axisMap(this.affine);
    // The plane perpendicular to world S/I is axial, to A/P coronal, to R/L sagittal.
    const perpendicular: Record<PlaneName, number> = { axial: 2, coronal: 1, sagittal: 0 };
    const stored = map.findIndex((m) => m.world === perpendicular[name]);
    return this.renderPlane(this.byAxis[stored], map, name, WINDOWS[window]);
  }

  private renderPlane(p: Plane, map: { world: number; positive: boolean }[], name: PlaneName, win: { width: number; level: number }) {
    // Screen axes as world directions: (horizontal toward, vertical toward the top).
    const screen: Record<PlaneName, [[number, boolean], [number, boolean]]> = {
      axial: [[0, false], [1, true]], // image right = patient left (−R), top = anterior
      coronal: [[0, false], [2, true]], // right = patient left, top = superior
      sagittal: [[1, false], [2, true]], // right = posterior (−A), top = superior
    };
    const [hz, vt] = screen[name];
    // Which of the plane's two stored axes runs along the screen's horizontal, and whether it must be reversed.
    const a = p.axes[0];
    const aIsHorizontal = map[a].world === hz[0];
    const hAxis = aIsHorizontal ? 0 : 1;
    const hStored = p.axes[hAxis];
    const vStored = p.axes[1 - hAxis];
    const flipH = map[hStored].positive !== hz[1];
    const flipV = map[vStored].positive !== vt[1]; // screen rows run top→bottom
    const hn = hAxis === 0 ? p.w : p.h;
    const vn = hAxis === 0 ? p.h : p.w;
    // Square pixels: each screen axis scaled by its voxel spacing, the long side at most MAX_SIDE.
    const hmm = hn * this.spacing[hStored];
    const vmm = vn * this.spacing[vStored];
    const scale = Math.min(MAX_SIDE / Math.max(hmm, vmm), Math.max(hn / hmm, vn / vmm));
    const W = Math.max(1, Math.round(hmm * scale));
    const H = Math.max(1, Math.round(vmm * scale));
    const png = new PNG({ width: W, height: H, colorType: 0, inputColorType: 0, bitDepth: 8 });
    const lo = win.level - win.width / 2;
    const buf = Buffer.alloc(W * H);
    for (let y = 0; y < H; y++) {
      let v = Math.min(vn - 1, Math.floor(((y + 0.5) * vn) / H));
      v = flipV ? v : vn - 1 - v; // row 0 is the top of the screen
      for (let x = 0; x < W; x++) {
        let h = Math.min(hn - 1, Math.floor(((x + 0.5) * hn) / W));
        if (flipH) h = hn - 1 - h;
        const idx = hAxis === 0 ? v * p.w + h : h * p.w + v;
        const g = ((p.data[idx] - lo) / win.width) * 255;
        buf[y * W + x] = g <= 0 || g !== g ? 0 : g >= 255 ? 255 : g;
      }
    }
    png.data = buf;
    return PNG.sync.write(png, { colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false });
  }
}
