// NIfTI-1 and NIfTI-2 (.nii, .nii.gz): the header from the first bytes only (nifti-reader-js), then one pass over
// the voxels for statistics. The affine follows nibabel's choice (sform when its code is set, else qform, else
// the pixel sizes), since nifti-reader-js prefers a qform whose code is higher and the test oracle is nibabel.
import * as nifti from "nifti-reader-js";
import { affineSpacing, isFiniteAffine, orientationCode, type Affine } from "./geometry";
import { ImagingError, MAX_AXIS, MAX_VOXELS } from "./imaging-error";
import { PlaneCollector } from "./planes";
import { isGzip, readPrefix, streamRange } from "./read-file";
import { VolumeAccumulator, type VolumeStats } from "./volume-stats";

const MAX_VOX_OFFSET = 16 * 2 ** 20;

const DATATYPES: Record<number, { name: string; bytes: number }> = {
  2: { name: "uint8", bytes: 1 },
  4: { name: "int16", bytes: 2 },
  8: { name: "int32", bytes: 4 },
  16: { name: "float32", bytes: 4 },
  64: { name: "float64", bytes: 8 },
  256: { name: "int8", bytes: 1 },
  512: { name: "uint16", bytes: 2 },
  768: { name: "uint32", bytes: 4 },
};

export type NiftiHeader = {
  format: "nifti1" | "nifti2";
  gzip: boolean;
  dims: [number, number, number];
  spacing: [number, number, number];
  datatype: string;
  bytesPerVoxel: number;
  littleEndian: boolean;
  slope: number;
  intercept: number;
  voxOffset: number;
  affine: Affine;
  orientation: string;
};

/** Parses and validates the header; throws ImagingError naming what is wrong. */
export function parseNiftiHeader(buf: Buffer, gzip: boolean): NiftiHeader {
  if (buf.length === 0) throw new ImagingError("empty", "the file is empty");
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length) as ArrayBuffer;
  const v1 = buf.length >= 348 && nifti.isNIFTI1(ab);
  const v2 = !v1 && buf.length >= 540 && nifti.isNIFTI2(ab);
  if (!v1 && !v2) {
    throw new ImagingError(buf.length < 348 ? "truncated" : "not_a_volume", buf.length < 348 ? `the file is ${buf.length} bytes, shorter than a NIfTI header` : "no NIfTI-1 or NIfTI-2 magic in the header");
  }
  const h = nifti.readHeader(ab) as nifti.NIFTI1 | nifti.NIFTI2;
  const rank = h.dims[0];
  if (!(rank >= 2 && rank <= 7)) throw new ImagingError("bad_geometry", `dim[0] is ${rank}, not a volume's rank`);
  const extra = h.dims.slice(4, rank + 1).filter((d) => d > 1);
  if (extra.length) throw new ImagingError("unsupported", `a ${rank}D volume (${h.dims.slice(1, rank + 1).join("×")}): only single 3D volumes are indexed`);
  const dims = [1, 2, 3].map((i) => (i <= rank ? h.dims[i] : 1)) as [number, number, number];
  for (const [i, d] of dims.entries()) {
    if (!Number.isInteger(d) || d < 1) throw new ImagingError("bad_geometry", `dimension ${i + 1} is ${d}`);
    if (d > MAX_AXIS) throw new ImagingError("too_large", `dimension ${i + 1} is ${d} voxels, more than ${MAX_AXIS}`);
  }
  if (dims[0] * dims[1] * dims[2] > MAX_VOXELS) throw new ImagingError("too_large", `${dims.join("×")} voxels is more than ${MAX_VOXELS}`);
  const type = DATATYPES[h.datatypeCode];
  if (!type) throw new ImagingError("unsupported", `NIfTI datatype ${h.datatypeCode} is not a scalar voxel type`);
  const pix = [1, 2, 3].map((i) => h.pixDims[i]);
  for (const [i, p] of pix.entries()) {
    if (!(Number.isFinite(p) && p > 0)) throw new ImagingError("bad_geometry", `voxel spacing ${i + 1} is ${p} mm: it must be positive`);
  }
  const affine = bestAffine(buf, h, v1, pix, dims);
  if (!isFiniteAffine(affine)) throw new ImagingError("bad_geometry", "the voxel-to-world transform is singular or not finite");
  // NIfTI: a slope of 0 (or not finite) means "no scaling".
  const slope = Number.isFinite(h.scl_slope) && h.scl_slope !== 0 ? h.scl_slope : 1;
  const intercept = Number.isFinite(h.scl_slope) && h.scl_slope !== 0 && Number.isFinite(h.scl_inter) ? h.scl_inter : 0;
  // vox_offset bounds where the voxels start: past the header and its extensions, never beyond a few MB (a huge
  // or non-finite one would make the reader inflate the whole file looking for data).
  const rawOffset = Number(h.vox_offset);
  if (!Number.isFinite(rawOffset) || rawOffset > MAX_VOX_OFFSET) throw new ImagingError("bad_geometry", `vox_offset ${h.vox_offset} is not a plausible start of the voxel data`);
  const voxOffset = Math.max(Math.floor(rawOffset), v1 ? 352 : 544);
  return {
    format: v1 ? "nifti1" : "nifti2",
    gzip,
    dims,
    spacing: affineSpacing(affine).map(round6) as [number, number, number],
    datatype: type.name,
    bytesPerVoxel: type.bytes,
    littleEndian: h.littleEndian,
    slope,
    intercept,
    voxOffset,
    affine,
    orientation: orientationCode(affine),
  };
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

function bestAffine(buf: Buffer, h: nifti.NIFTI1 | nifti.NIFTI2, v1: boolean, pix: number[], dims: number[]): Affine {
  if (!v1) {
    // nifti-reader-js reads NIfTI-2's srow into `affine` unconditionally; the qform is computed here as for v1.
    if (h.sform_code > 0) return h.affine.map((r) => [...r]);
    if (h.qform_code > 0) return quaternAffine(h, pix);
    return baseAffine(pix, dims);
  }
  if (h.sform_code > 0) {
    const le = h.littleEndian;
    const f = (o: number) => (le ? buf.readFloatLE(o) : buf.readFloatBE(o));
    const rows = [280, 296, 312].map((o) => [0, 1, 2, 3].map((c) => f(o + 4 * c)));
    return [...rows, [0, 0, 0, 1]];
  }
  if (h.qform_code > 0) return quaternAffine(h, pix);
  return baseAffine(pix, dims);
}

/** No qform or sform: what nibabel assumes (its get_base_affine): x flipped (radiological), origin at the centre. */
function baseAffine(pix: number[], dims: number[]): Affine {
  const z = [-pix[0], pix[1], pix[2]];
  const t = [0, 1, 2].map((i) => (-(dims[i] - 1) / 2) * z[i]);
  return [
    [z[0], 0, 0, t[0]],
    [0, z[1], 0, t[1]],
    [0, 0, z[2], t[2]],
    [0, 0, 0, 1],
  ];
}

/** The NIfTI qform: a rotation from quaternion (b, c, d), qfac flipping the third axis, then the spacing. */
function quaternAffine(h: nifti.NIFTI1 | nifti.NIFTI2, pix: number[]): Affine {
  const b = h.quatern_b;
  const c = h.quatern_c;
  const d = h.quatern_d;
  const a = Math.sqrt(Math.max(0, 1 - (b * b + c * c + d * d)));
  const qfac = h.pixDims[0] < 0 ? -1 : 1;
  const r = [
    [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
    [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
    [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b],
  ];
  const s = [pix[0], pix[1], pix[2] * qfac];
  const off = [h.qoffset_x, h.qoffset_y, h.qoffset_z];
  return [...[0, 1, 2].map((i) => [r[i][0] * s[0], r[i][1] * s[1], r[i][2] * s[2], off[i]]), [0, 0, 0, 1]];
}

export async function readNiftiHeader(file: string): Promise<NiftiHeader> {
  const gzip = await isGzip(file);
  return parseNiftiHeader(await readPrefix(file, 64 * 1024, gzip), gzip);
}

/** Converts raw voxel bytes of one slice to scaled float32 values. */
const NATIVE_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const TYPED: Record<string, Uint8ArrayConstructor | Int8ArrayConstructor | Int16ArrayConstructor | Uint16ArrayConstructor | Int32ArrayConstructor | Uint32ArrayConstructor | Float32ArrayConstructor | Float64ArrayConstructor> = {
  uint8: Uint8Array, int8: Int8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array, float32: Float32Array, float64: Float64Array,
};

export function sliceDecoder(h: Pick<NiftiHeader, "datatype" | "littleEndian" | "slope" | "intercept">, voxels: number) {
  const out = new Float32Array(voxels);
  const { slope, intercept } = h;
  const native = h.littleEndian === NATIVE_LE;
  const Ctor = TYPED[h.datatype];
  return (bytes: Buffer): Float32Array => {
    // `bytes` is a private, aligned copy (see indexNifti), so it can be byte-swapped and viewed in place.
    if (!native && Ctor.BYTES_PER_ELEMENT > 1) swap(bytes, Ctor.BYTES_PER_ELEMENT);
    const src = new Ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset, voxels);
    if (slope === 1 && intercept === 0) for (let i = 0; i < voxels; i++) out[i] = src[i] + 0;
    else for (let i = 0; i < voxels; i++) out[i] = src[i] * slope + intercept + 0;
    return out;
  };
}

function swap(b: Buffer, size: number) {
  if (size === 2) b.swap16();
  else if (size === 4) b.swap32();
  else b.swap64();
}

export type IndexedNifti = NiftiHeader & VolumeStats & { bytes: number; sha256: string; planes: PlaneCollector };

/** Header plus statistics: one streaming pass, one slice in memory at a time. */
export async function indexNifti(file: string, size: number, signal?: AbortSignal): Promise<IndexedNifti> {
  if (size === 0) throw new ImagingError("empty", "the file is empty");
  const h = await readNiftiHeader(file);
  const [nx, ny, nz] = h.dims;
  const sliceVoxels = nx * ny;
  const sliceBytes = sliceVoxels * h.bytesPerVoxel;
  const acc = new VolumeAccumulator(h.dims, h.affine);
  const planes = new PlaneCollector(h.dims, h.affine, h.spacing);
  let k = 0;
  const decode = sliceDecoder(h, sliceVoxels);
  const slice = Buffer.alloc(sliceBytes); // aligned: Buffer.alloc of ≥ 4 KiB is never pooled
  let filled = 0;
  const sha256 = await streamRange(file, h.gzip, h.voxOffset, sliceBytes * nz, (chunk) => {
    let off = 0;
    while (off < chunk.length) {
      const n = Math.min(sliceBytes - filled, chunk.length - off);
      chunk.copy(slice, filled, off, off + n);
      filled += n;
      off += n;
      if (filled === sliceBytes) {
        const values = decode(slice);
        acc.addSlice(values);
        planes.addSlice(values, k++);
        filled = 0;
      }
    }
  }, { signal });
  return { ...h, ...acc.finish(), bytes: size, sha256, planes };
}

/** Only the mid-planes, for a preview of a volume not yet seen: one pass through the file like indexing, but of
 * each slice only the row and the column through the middle are converted (the middle slice whole): the rest
 * is just inflated and skipped. */
export async function niftiPlanes(file: string): Promise<PlaneCollector> {
  const h = await readNiftiHeader(file);
  const [nx, ny, nz] = h.dims;
  const bpv = h.bytesPerVoxel;
  const sliceBytes = nx * ny * bpv;
  const planes = new PlaneCollector(h.dims, h.affine, h.spacing);
  const decode = sliceDecoder(h, nx * ny);
  const { x: mx, y: my } = planes.middle;
  // Only these bytes of a slice are kept (the middle slice: all of it): the row through the middle, then the
  // column, voxel by voxel, gathered straight from the inflated chunks.
  const rowStart = my * nx * bpv;
  const rowEnd = rowStart + nx * bpv;
  const kept = Buffer.alloc(sliceBytes);
  const rowDecode = sliceDecoder(h, nx);
  const colDecode = sliceDecoder(h, ny);
  const rowBuf = Buffer.alloc(nx * bpv);
  const colBuf = Buffer.alloc(ny * bpv);
  let at = 0; // byte position within the current slice
  let k = 0;
  await streamRange(
    file,
    h.gzip,
    h.voxOffset,
    sliceBytes * nz,
    (chunk) => {
      for (let off = 0; off < chunk.length; ) {
        const n = Math.min(sliceBytes - at, chunk.length - off);
        if (k === planes.middleSlice) chunk.copy(kept, at, off, off + n);
        else {
          // The row, where this piece overlaps it.
          const a = Math.max(at, rowStart);
          const b = Math.min(at + n, rowEnd);
          if (b > a) chunk.copy(rowBuf, a - rowStart, off + (a - at), off + (b - at));
          // The column: voxel (j, mx) occupies bytes [(j·nx + mx)·bpv, +bpv); a voxel split between two
          // chunks gets its bytes from each.
          for (let j = Math.max(0, Math.floor((at / bpv - mx) / nx)); j < ny; j++) {
            const p = (j * nx + mx) * bpv;
            if (p >= at + n) break;
            const a2 = Math.max(p, at);
            const b2 = Math.min(p + bpv, at + n);
            if (b2 > a2) chunk.copy(colBuf, j * bpv + (a2 - p), off + (a2 - at), off + (b2 - at));
          }
        }
        off += n;
        at += n;
        if (at === sliceBytes) {
          if (k === planes.middleSlice) planes.addSlice(decode(kept), k);
          else planes.addRowAndColumn(k, rowDecode(rowBuf), colDecode(colBuf));
          k++;
          at = 0;
        }
      }
    },
    { hash: false },
  );
  return planes;
}
