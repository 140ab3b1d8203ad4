// One DICOM file's header, read from the start of the file only (parsing stops before the pixel data), and
// the fields a CT dataset is judged by. Patient and study identifiers are kept for leakage checks; the service
// layer decides who may see them.
import { READ_FLAGS } from "./read-file";
import { open } from "node:fs/promises";
import { parseDicomBytes, parserProblem, type ParsedDicom } from "./dicom-file";
import type dicomParser from "dicom-parser";
import { ImagingError } from "./imaging-error";

/** One frame of 4096 × 4096 × 16 bits is 32 MiB; a single-frame CT file beyond twice that is not one. */
export const MAX_DICOM_BYTES = 64 * 2 ** 20;
/** A CT header (private tags included) fits in well under this; a longer one is refused, not parsed. */
export const MAX_HEADER_BYTES = 2 ** 20;
const PIXEL_DATA = "x7fe00010";

export type DicomHeader = {
  file: string;
  transferSyntax: string;
  sopClass: string;
  sopInstance: string;
  modality: string;
  imageType: string[];
  seriesUid: string;
  studyUid: string;
  patientId: string;
  seriesNumber: string;
  instanceNumber: number | null;
  rows: number;
  columns: number;
  frames: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: number;
  /** PixelPaddingValue as stored (before slope and intercept): voxels outside the scanned field. */
  pixelPadding: number | null;
  pixelSpacing: [number, number] | null; // row spacing, column spacing (mm)
  orientation: number[] | null; // row direction cosines then column direction cosines (LPS)
  position: number[] | null; // LPS mm of the first voxel
  sliceThickness: number | null;
  spacingBetweenSlices: number | null;
  slope: number;
  intercept: number;
  tags: DicomTags;
};

/** The series-level facts shown on a dataset page (and the identifiers kept for leakage checks). */
export type DicomTags = {
  modality: string;
  bodyPart: string | null;
  manufacturer: string | null;
  model: string | null;
  kernel: string | null;
  kvp: number | null;
  sliceThickness: number | null;
  contrastAgent: string | null;
  patientAge: string | null;
  patientSex: string | null;
  patientIdentityRemoved: boolean | null;
  deidentificationMethod: string | null;
  patientId: string | null;
  studyUid: string | null;
  seriesUid: string | null;
};

function nums(v: string | undefined, n: number) {
  if (!v) return null;
  const parts = v.split("\\").map((s) => Number(s.trim()));
  return parts.length === n && parts.every(Number.isFinite) ? parts : null;
}

const str = (ds: dicomParser.DataSet, tag: string) => ds.string(tag)?.trim() || "";
const opt = (ds: dicomParser.DataSet, tag: string) => str(ds, tag) || null;
const num = (ds: dicomParser.DataSet, tag: string) => {
  const s = str(ds, tag);
  const v = s ? Number(s.split("\\")[0]) : NaN;
  return Number.isFinite(v) ? v : null;
};

/** Parses the file's data set up to the pixel data from its first bytes; reads more only when the header is longer. */
export async function readDicomHeader(file: string, size: number): Promise<{ header: DicomHeader }> {
  if (size === 0) throw new ImagingError("empty", "the file is empty");
  if (size > MAX_DICOM_BYTES) throw new ImagingError("too_large", `a DICOM file of ${size} bytes (at most ${MAX_DICOM_BYTES})`);
  const fh = await open(file, READ_FLAGS);
  try {
    for (const want of [64 * 1024, MAX_HEADER_BYTES]) {
      const n = Math.min(want, size);
      const buf = Buffer.alloc(n);
      const { bytesRead } = await fh.read(buf, 0, n, 0);
      const whole = bytesRead >= size;
      let parsed: ParsedDicom;
      try {
        parsed = await parseDicomBytes(buf.subarray(0, bytesRead), { untilPixelData: true, inflateCap: MAX_HEADER_BYTES });
      } catch (e) {
        // A header cut by the end of the prefix reads as malformed: try the longer prefix first.
        if (e instanceof ImagingError && e.code === "unreadable" && !whole) continue;
        throw e;
      }
      if (!parsed.dataSet.elements[PIXEL_DATA] && !whole) continue;
      try {
        return { header: headerOf(file, parsed) };
      } catch (e) {
        // An element whose declared length runs past what was parsed (the parser checks lengths only when it reads).
        if (!whole) continue;
        throw new ImagingError("unreadable", `the DICOM data set is unreadable: ${parserProblem(e)}`, { cause: e });
      }
    }
    throw new ImagingError("unreadable", `no pixel data within the first ${MAX_HEADER_BYTES} bytes: the header is unreadable or longer than a CT header is`);
  } finally {
    await fh.close();
  }
}

export function headerOf(file: string, { dataSet: ds, transferSyntax, mediaSopClass, mediaSopInstance }: ParsedDicom): DicomHeader {
  const pixelRepresentation = ds.uint16("x00280103") ?? 0;
  const padding = ds.elements.x00280120 ? (pixelRepresentation ? ds.int16("x00280120") : ds.uint16("x00280120")) : undefined;
  const orientation = nums(ds.string("x00200037"), 6);
  const spacing = nums(ds.string("x00280030"), 2) as [number, number] | null;
  const slope = num(ds, "x00281053");
  const removed = opt(ds, "x00120062");
  const modality = str(ds, "x00080060").toUpperCase();
  return {
    file,
    transferSyntax,
    sopClass: str(ds, "x00080016") || mediaSopClass,
    sopInstance: str(ds, "x00080018") || mediaSopInstance,
    modality,
    imageType: str(ds, "x00080008").toUpperCase().split("\\").filter(Boolean),
    seriesUid: str(ds, "x0020000e"),
    studyUid: str(ds, "x0020000d"),
    patientId: str(ds, "x00100020"),
    seriesNumber: str(ds, "x00200011"),
    instanceNumber: num(ds, "x00200013"),
    rows: ds.uint16("x00280010") ?? 0,
    columns: ds.uint16("x00280011") ?? 0,
    frames: num(ds, "x00280008") ?? 1,
    samplesPerPixel: ds.uint16("x00280002") ?? 1,
    bitsAllocated: ds.uint16("x00280100") ?? 0,
    bitsStored: ds.uint16("x00280101") ?? ds.uint16("x00280100") ?? 0,
    pixelRepresentation,
    pixelPadding: padding ?? null,
    pixelSpacing: spacing,
    orientation,
    position: nums(ds.string("x00200032"), 3),
    sliceThickness: num(ds, "x00180050"),
    spacingBetweenSlices: num(ds, "x00180088"),
    slope: slope && slope !== 0 ? slope : 1,
    intercept: num(ds, "x00281052") ?? 0,
    tags: {
      modality,
      bodyPart: opt(ds, "x00180015"),
      manufacturer: opt(ds, "x00080070"),
      model: opt(ds, "x00081090"),
      kernel: opt(ds, "x00181210")?.replace(/\\/g, " ") ?? null,
      kvp: num(ds, "x00180060"),
      sliceThickness: num(ds, "x00180050"),
      contrastAgent: opt(ds, "x00180010"),
      patientAge: opt(ds, "x00101010"),
      patientSex: opt(ds, "x00100040"),
      patientIdentityRemoved: removed ? removed.toUpperCase() === "YES" : null,
      deidentificationMethod: opt(ds, "x00120063"),
      patientId: opt(ds, "x00100020"),
      studyUid: opt(ds, "x0020000d"),
      seriesUid: opt(ds, "x0020000e"),
    },
  };
}
