// Radiology reports paired with scans: a text file beside the scan (<scan>.txt, or <series folder>.txt and
// report.txt inside a DICOM series folder), or a reports.csv mapping scans to report text or files. Each report
// is screened for what would identify a patient; a flagged report is shown to nobody outside staff, like every
// report, and is marked so the team can de-identify it before training on it.
import { open } from "node:fs/promises";
import { parse as csvParse } from "csv-parse";
import { READ_FLAGS } from "../http/open-flags";

export const MAX_REPORT_BYTES = 64 * 1024;

const CHECKS: [string, RegExp][] = [
  ["date", /\b(\d{1,2}[./-]\d{1,2}[./-](\d{4}|\d{2})|(19|20)\d{2}-\d{2}-\d{2}|\d{1,2}\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(19|20)\d{2}|(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+(19|20)\d{2})\b/i],
  ["record number", /\b(MRN|medical record|record (no|number)|patient id|accession)\b[\s:#.-]{0,8}[A-Z0-9-]{4,32}|\b\d{7,20}\b/i],
  // Case matters for the name itself (a capitalised word), not for the word before it.
  ["name", /\b([Mm]rs?|[Mm]s|[Mm]iss|[Dd]r|[Pp]rof)\.?\s+[A-Z][a-z]+|\b([Pp]atient|PATIENT|[Nn]ame|NAME|[Pp]t|[Rr]eferring [Pp]hysician|[Rr]adiologist)\s*:\s*[A-Z][a-z]+(\s+[A-Z][a-z]+)?/],
  ["phone", /(\+\d{1,3}[\s-]?)?\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b/],
  // Quantifiers are bounded: an unbounded run before '@' costs n² on a long text without one.
  ["email", /\b[\w.+-]{1,64}@[\w-]{1,63}\.[\w.]{2,63}\b/],
];

/** What in a report looks identifying (empty when nothing does). */
export function identifiableFlags(text: string): string[] {
  const t = text.slice(0, MAX_REPORT_BYTES);
  return CHECKS.filter(([, re]) => re.test(t)).map(([k]) => k);
}

/** reports.csv, streamed: rows are parsed as they are read (the event loop is never held by one big file), each
 * row bounded in size, the file in rows. */
export async function* readReportsCsv(file: string) {
  const fh = await open(file, READ_FLAGS);
  const rows = fh.createReadStream().pipe(csvParse({ columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, relax_column_count: true, bom: true, to: 200_000, max_record_size: 2 * MAX_REPORT_BYTES }));
  let checked = false;
  for await (const r of rows as AsyncIterable<Record<string, string>>) {
    if (!checked) {
      checked = true;
      const cols = Object.keys(r);
      if (!cols.includes("scan") || !(cols.includes("report") || cols.includes("report_file"))) throw new Error("reports.csv needs a header with 'scan' and 'report' (or 'report_file') columns");
    }
    if (r.scan?.trim()) yield { scan: r.scan.trim(), report: r.report?.trim() || undefined, file: r.report_file?.trim() || undefined };
  }
}

/** The scan a report file names by its own name: `a.txt` → `a.nii.gz`/`a.nii`/folder `a`. */
export function reportKey(name: string) {
  return name.replace(/\.txt$/i, "").toLowerCase();
}

export function scanKey(name: string) {
  return name.replace(/\.nii(\.gz)?$/i, "").toLowerCase();
}
