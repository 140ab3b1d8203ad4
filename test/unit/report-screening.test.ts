// What makes a report look identifying, and what doesn't: ordinary findings text must pass unflagged, or the
// flag means nothing.
import { describe, expect, it } from "vitest";
import { identifiableFlags, parseReportsCsv } from "../../lib/datasets/reports";

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

  it("reads reports.csv with text or file columns and refuses a CSV without them", () => {
    expect(parseReportsCsv('\ufeffScan,Report\na.nii.gz,"Line one, with a comma"\n,skipped\n')).toEqual([{ scan: "a.nii.gz", report: "Line one, with a comma", file: undefined }]);
    expect(parseReportsCsv("scan,report_file\nb.nii.gz,b-report.txt\n")).toEqual([{ scan: "b.nii.gz", report: undefined, file: "b-report.txt" }]);
    expect(() => parseReportsCsv("file,text\na,b\n")).toThrow(/'scan' and 'report'/);
  });
});
