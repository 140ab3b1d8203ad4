import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseCatalog, slugify } from "../../lib/catalog/parse-catalog";
import { CATALOG_CSV } from "../../lib/services/datasets/seed-catalog";

const entries = parseCatalog(readFileSync(CATALOG_CSV, "utf8"));
const by = (slug: string) => entries.find((e) => e.slug === slug)!;

describe("catalog CSV", () => {
  it("reads every row of the shipped file with unique slugs", () => {
    expect(entries).toHaveLength(20);
    expect(new Set(entries.map((e) => e.slug)).size).toBe(20);
  });

  it("keeps the license consequences", () => {
    expect(by("ct-rate")).toMatchObject({ ctVolumes: 50188, commercialUse: "NO", shareAlike: true, gated: true, verified: "YES" });
    expect(by("nlst")).toMatchObject({ commercialUse: "YES", shareAlike: false, gated: false, format: "DICOM" });
    expect(by("medical-segmentation-decathlon-ct-tasks")).toMatchObject({ shareAlike: true, verified: "PARTLY" });
    expect(by("abdomenct-1k")).toMatchObject({ commercialUse: "UNKNOWN", verified: "NO" });
  });

  it("keeps quoted commas inside notes", () => {
    expect(by("ct-rate").notes).toContain("25,692 scans");
  });

  it("refuses a row with an impossible verified value, naming the line", () => {
    const csv = "name,host,ct_volumes,reports,body_region,format,license,commercial_use,redistribution,access,notes,verified\nX,h,1,no,chest,NIfTI,CC0,yes,yes,open,,maybe\n";
    expect(() => parseCatalog(csv)).toThrow(/row 2: verified/);
  });

  it("slugs are URL-safe", () => {
    expect(slugify("RSNA-STR PE (RSPECT)")).toBe("rsna-str-pe-rspect");
  });
});
