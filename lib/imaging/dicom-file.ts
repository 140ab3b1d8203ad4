// Where a DICOM file's data set starts and how it is encoded, as archives really send them: Part 10 with its 128-byte
// preamble, a file meta header without the preamble, or a bare data set with neither (implicit VR little endian, the
// standard's default; explicit when its first element says so). A deflated data set is inflated here, capped.
import dicomParser from "dicom-parser";
import { ImagingError } from "./imaging-error";
import { inflateCapped } from "./inflate-capped";
import { DEFLATED_LE, EXPLICIT_BE, EXPLICIT_LE, IMPLICIT_LE } from "./transfer-syntax";

export type DicomLayout = "part10" | "meta-without-preamble" | "bare-implicit" | "bare-explicit";

export type ParsedDicom = {
  dataSet: dicomParser.DataSet;
  /** As the file meta header states it (implicit VR little endian for a bare data set). */
  transferSyntax: string;
  /** The meta header's SOP class and instance: some de-identifiers empty the data set's own. */
  mediaSopClass: string;
  mediaSopInstance: string;
};

const VRS = new Set("AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV".split(" "));

/** How the file starts, or null when it is not DICOM at all. Needs the first 132 bytes (fewer for a small file). */
export function dicomLayout(b: Uint8Array): DicomLayout | null {
  if (b.length >= 132 && b[128] === 0x44 && b[129] === 0x49 && b[130] === 0x43 && b[131] === 0x4d) return "part10";
  if (b.length < 12) return null;
  const group = b[0] | (b[1] << 8);
  const vr = String.fromCharCode(b[4], b[5]);
  if (group === 0x0002) return VRS.has(vr) ? "meta-without-preamble" : null;
  // A bare data set starts with the identifying group (0008): its length or its VR must make sense.
  if (group !== 0x0008) return null;
  if (VRS.has(vr)) return "bare-explicit";
  const length = (b[4] | (b[5] << 8) | (b[6] << 16)) + b[7] * 2 ** 24;
  return length < 2 ** 20 ? "bare-implicit" : null;
}

const PAST_END = "an element runs past the end of the file";

/** dicom-parser's exceptions (strings that name its functions) as a sentence a person can act on. */
export function parserProblem(e: unknown) {
  const text = e instanceof Error ? e.message : typeof e === "string" ? e : String((e as { exception?: unknown })?.exception ?? "");
  if (/past end|overread|overrun|greater than or equal|length/i.test(text)) return PAST_END;
  if (/item|sequence|delimit/i.test(text)) return "a sequence or one of its items is malformed";
  if (/fragment|offset table|encapsulated/i.test(text)) return "the encapsulated pixel data's fragments are malformed";
  return "its elements are malformed";
}

function parse(bytes: Uint8Array, syntax: string, untilPixelData: boolean): dicomParser.DataSet {
  const parser = syntax === EXPLICIT_BE ? dicomParser.bigEndianByteArrayParser : dicomParser.littleEndianByteArrayParser;
  const stream = new dicomParser.ByteStream(parser, bytes, 0);
  const dataSet = new (dicomParser as unknown as { DataSet: new (p: unknown, b: Uint8Array, e: object) => dicomParser.DataSet }).DataSet(parser, bytes, {});
  const options = untilPixelData ? { untilTag: "x7fe00010" } : undefined;
  if (syntax === IMPLICIT_LE) dicomParser.parseDicomDataSetImplicit(dataSet, stream, bytes.length, options);
  else dicomParser.parseDicomDataSetExplicit(dataSet, stream, bytes.length, options);
  return dataSet;
}

/**
 * Parses the file's bytes (the whole file, or a prefix when `untilPixelData`). A deflated data set inflates to at
 * most `inflateCap` bytes: past it the file is refused, unless only a header is wanted (then the prefix is enough).
 */
export async function parseDicomBytes(bytes: Uint8Array, o: { untilPixelData: boolean; inflateCap: number }): Promise<ParsedDicom> {
  const layout = dicomLayout(bytes);
  if (!layout) throw new ImagingError("not_a_volume", "neither a DICM preamble nor a DICOM data set at the start of the file: not DICOM");
  let body: Uint8Array;
  let syntax = layout === "bare-explicit" ? EXPLICIT_LE : IMPLICIT_LE;
  let mediaSopClass = "";
  let mediaSopInstance = "";
  if (layout === "part10" || layout === "meta-without-preamble") {
    const file = layout === "part10" ? bytes : Buffer.concat([Buffer.alloc(128), Buffer.from("DICM"), bytes]);
    let meta: dicomParser.DataSet & { position?: number };
    try {
      meta = dicomParser.readPart10Header(file);
    } catch (e) {
      throw new ImagingError("unreadable", `the DICOM file meta header is unreadable: ${parserProblem(e)}`);
    }
    const value = (tag: string) => meta.string(tag)?.replace(/\0/g, "").trim() ?? "";
    syntax = value("x00020010");
    if (!syntax) throw new ImagingError("unreadable", "the DICOM file meta header names no transfer syntax");
    mediaSopClass = value("x00020002");
    mediaSopInstance = value("x00020003");
    body = file.subarray(meta.position ?? 0);
  } else {
    body = bytes;
  }
  let bodySyntax = syntax;
  if (syntax === DEFLATED_LE) {
    const { bytes: inflated, overflow } = await inflateCapped(body, o.inflateCap, { partial: o.untilPixelData });
    if (overflow && !o.untilPixelData) throw new ImagingError("inflation_limit", `the deflated data set inflates past the ${o.inflateCap} bytes its header allows`);
    body = inflated;
    bodySyntax = EXPLICIT_LE;
  }
  if (body.length === 0) throw new ImagingError("truncated", "the file ends before its data set begins");
  try {
    return { dataSet: parse(body, bodySyntax, o.untilPixelData), transferSyntax: syntax, mediaSopClass, mediaSopInstance };
  } catch (e) {
    if (e instanceof ImagingError) throw e;
    const problem = parserProblem(e);
    throw new ImagingError(problem === PAST_END ? "truncated" : "unreadable", `the DICOM data set is unreadable: ${problem}`);
  }
}
