// A volume as a clean NIfTI-1 file, streamed slice by slice: HU values (int16 when the source is integral and fits,
// else float32), the indexed voxel-to-RAS affine as the sform, and nothing else from the source header (no
// description, aux file, intent name or extensions, where identifying text can hide). DICOM series come out in
// the order of their slice normal, with the affine the index computed.
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { createGzip } from "node:zlib";
import { readDicomHeader, type DicomHeader } from "./dicom-header";
import { assembleSeries } from "./dicom-series";
import { seriesSlices } from "./dicom-volume";
import { ImagingError } from "./imaging-error";
import { affineSpacing, type Affine } from "./geometry";
import { readNiftiHeader, sliceDecoder } from "./nifti";
import { streamRange } from "./read-file";

export type ExportSource = { format: string; files: string[]; dims: number[]; spacing: number[]; affine: Affine };

const INTEGRAL = new Set(["uint8", "int8", "int16", "uint16", "int32", "uint32"]);

export function niftiHeader(dims: number[], affine: Affine, datatype: "int16" | "float32") {
  const h = Buffer.alloc(352);
  h.writeInt32LE(348, 0);
  h.writeInt16LE(3, 40);
  dims.forEach((d, i) => h.writeInt16LE(d, 42 + 2 * i));
  for (let i = 3; i < 7; i++) h.writeInt16LE(1, 42 + 2 * i);
  h.writeInt16LE(datatype === "int16" ? 4 : 16, 70);
  h.writeInt16LE(datatype === "int16" ? 16 : 32, 72);
  h.writeFloatLE(1, 76); // qfac
  // pixdim as the affine's column lengths: a tilted series' slice step is longer than its spacing along the
  // normal, and readers that trust pixdim must agree with those that trust the sform.
  affineSpacing(affine).forEach((s, i) => h.writeFloatLE(s, 80 + 4 * i));
  h.writeFloatLE(352, 108); // vox_offset
  h.writeFloatLE(1, 112); // scl_slope
  h.writeFloatLE(0, 116); // scl_inter
  h.writeUInt8(2 | 8, 123); // xyzt_units: mm, s
  h.writeInt16LE(0, 252); // qform_code
  h.writeInt16LE(1, 254); // sform_code: scanner anatomical
  for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) h.writeFloatLE(affine[r][c], 280 + 16 * r + 4 * c);
  h.write("n+1\0", 344, "latin1");
  return h; // bytes 348–351: no extensions
}

/** DICOM slices: the series assembled again from its files' headers (so a tilted one gets the same grid), then
 * decoded one file at a time; a series whose geometry is no longer what was indexed is refused. */
async function* dicomSlices(src: ExportSource): AsyncGenerator<Float32Array> {
  const headers: DicomHeader[] = [];
  for (const file of src.files) headers.push((await readDicomHeader(file, (await stat(file)).size)).header);
  const series = assembleSeries(headers);
  if (series.dims.some((d, i) => d !== src.dims[i]) || series.affine.some((r, i) => r.some((x, j) => Math.abs(x - src.affine[i][j]) > 1e-4))) {
    throw new ImagingError("series_inconsistent", "the series' geometry is not what was indexed: index it again");
  }
  for await (const { values } of seriesSlices(series)) yield values;
}

/** NIfTI slices: the file streamed (inflated) past its header, cut into slices, scaled. */
async function niftiSlices(src: ExportSource, onSlice: (values: Float32Array) => void | Promise<void>) {
  const h = await readNiftiHeader(src.files[0]);
  const n = src.dims[0] * src.dims[1];
  const decode = sliceDecoder(h, n);
  const sliceBytes = n * h.bytesPerVoxel;
  const slice = Buffer.alloc(sliceBytes);
  let filled = 0;
  await streamRange(src.files[0], h.gzip, h.voxOffset, sliceBytes * src.dims[2], async (chunk) => {
    for (let off = 0; off < chunk.length; ) {
      const k = Math.min(sliceBytes - filled, chunk.length - off);
      chunk.copy(slice, filled, off, off + k);
      filled += k;
      off += k;
      if (filled === sliceBytes) {
        await onSlice(decode(slice));
        filled = 0;
      }
    }
  });
}

/** Whether the export can be int16 without loss: integral source types and an int16 range. */
export function exportType(src: { datatype: string; huMin: number | null; huMax: number | null; slopeIntegral: boolean }) {
  const fits = src.huMin !== null && src.huMax !== null && src.huMin >= -32768 && src.huMax <= 32767;
  return INTEGRAL.has(src.datatype) && src.slopeIntegral && fits ? "int16" : "float32";
}

function encode(values: Float32Array, datatype: "int16" | "float32") {
  if (datatype === "float32") return Buffer.from(Float32Array.from(values).buffer);
  const o = new Int16Array(values.length);
  for (let i = 0; i < values.length; i++) o[i] = Math.round(values[i]);
  return Buffer.from(o.buffer);
}

/** The whole clean file, gzip-compressed (level 1: the network, not the CPU, should be the limit). */
export function exportNifti(src: ExportSource, datatype: "int16" | "float32"): Readable {
  const gz = createGzip({ level: 1 });
  gz.write(niftiHeader(src.dims, src.affine, datatype));
  if (src.format === "dicom") {
    const body = Readable.from((async function* () {
      for await (const s of dicomSlices(src)) yield encode(s, datatype);
    })());
    body.on("error", (e) => gz.destroy(e));
    body.pipe(gz);
  } else {
    // Reading waits whenever gzip's buffer is full (memory stays at a slice or two), and stops when the reader
    // goes away: a cancelled download closes the gzip stream, which ends the file read too.
    let closed = false;
    gz.once("close", () => (closed = true));
    const wait = () =>
      new Promise<void>((resolve) => {
        if (closed || gz.destroyed) return resolve();
        const done = () => {
          gz.off("drain", done);
          gz.off("close", done);
          resolve();
        };
        gz.once("drain", done);
        gz.once("close", done);
      });
    niftiSlices(src, async (values) => {
      if (closed) throw new Error("the reader went away");
      if (!gz.write(encode(values, datatype))) await wait();
      if (closed) throw new Error("the reader went away");
    }).then(
      () => gz.end(),
      (e) => gz.destroy(e),
    );
  }
  return gz;
}
