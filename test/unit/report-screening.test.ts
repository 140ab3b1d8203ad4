// What makes a report look identifying, and what doesn't: ordinary findings text must pass unflagged, or the
// flag means nothing.
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { identifiableFlags, readReportsCsv } from "../../lib/datasets/reports";

const dir = mkdtempSync(path.join(os.tmpdir(), "hounsfield-reports-"));
async function rows(text: string) {
  const f = path.join(dir, `r${Math.random()}.csv`);
  writeFileSync(f, text);
  const out = [];
  for await (const r of readReportsCsv(f)) out.push(r);
  return out;
}

describe("report screening", () => {
  it("passes de-identified findings", () => {
    for (const text of [
      "Findings: No focal consolidation. The patient has a 4 mm nodule in the right upper lobe. Impression: stable.",
      "CT of the chest with contrast. Heart size is normal. No pericardial effusion. Series 3 image 45.",
      "Comparison: prior study. Slice thickness 1.25 mm, kernel B30f.",
    ]) expect({ text, flags: identifiableFlags(text) }).toEqual({ text, flags: [] });
  });

  it("flags names, dates, record numbers, phone numbers and emails", () => {
    expect(identifiableFlags("Referring physician: Anna Berg")).toEqual(["name"]);
    expect(identifiableFlags("Read by Dr. Jones")).toEqual(["name"]);
    expect(identifiableFlags("Compared with the study of 12/05/2020.")).toEqual(["date"]);
    expect(identifiableFlags("Compared with the study of March 3, 2021.")).toEqual(["date"]);
    expect(identifiableFlags("MRN: A1234567")).toEqual(["record number"]);
    expect(identifiableFlags("Call 555-123-4567 or write to reading@hospital.org")).toEqual(["phone", "email"]);
  });

  it("reads reports.csv with text or file columns and refuses a CSV without them", async () => {
    expect(await rows('\ufeffScan,Report\na.nii.gz,"Line one, with a comma"\n,skipped\n')).toEqual([{ scan: "a.nii.gz", report: "Line one, with a comma", file: undefined }]);
    expect(await rows("scan,report_file\nb.nii.gz,b-report.txt\n")).toEqual([{ scan: "b.nii.gz", report: undefined, file: "b-report.txt" }]);
    await expect(rows("file,text\na,b\n")).rejects.toThrow(/'scan' and 'report'/);
    await expect(rows(`scan,report\na,"${"x".repeat(200_000)}"\n`)).rejects.toThrow(/max_record_size|record/i);
  });

  it("screens long hostile texts (no pattern backtracks over a run of word characters)", () => {
    // 64 KiB of the shapes that made the email and record patterns quadratic (minutes each, past this test's
    // timeout): dotted words with no '@', runs of digits, repeated keywords.
    expect(["a.".repeat(32_768), "1".repeat(65_536), "MRN ".repeat(16_000), "Dr ".repeat(20_000)].map((t) => identifiableFlags(t))).toEqual([[], [], [], ["name"]]);
  });
});
