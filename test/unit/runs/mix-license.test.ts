import { describe, expect, it } from "vitest";
import { licenseConsequence, type CatalogDataset } from "@/lib/runs/mix-license";

const ds = (name: string, commercialUse: CatalogDataset["commercialUse"], extra: Partial<CatalogDataset> = {}): CatalogDataset => ({
  slug: name.toLowerCase(),
  name,
  license: `${name} license`,
  commercialUse,
  shareAlike: false,
  gated: false,
  ...extra,
});

describe("licenseConsequence", () => {
  it("is nothing before a dataset is chosen", () => {
    expect(licenseConsequence([])).toBeNull();
  });

  it("makes the model non-commercial when any dataset forbids commercial use", () => {
    const c = licenseConsequence([ds("A", "YES"), ds("B", "NO"), ds("C", "UNKNOWN")])!;
    expect(c.tone).toBe("danger");
    expect(c.license).toMatch(/^non-commercial/);
    expect(c.notes).toEqual([expect.stringMatching(/^B forbids commercial use/)]);
    expect(licenseConsequence([ds("B", "NO"), ds("D", "NO")])!.notes).toEqual([expect.stringMatching(/^B, D forbid commercial use/)]);
  });

  it("warns when commercial use is unknown for some and forbidden for none", () => {
    expect(licenseConsequence([ds("A", "YES"), ds("C", "UNKNOWN")])).toMatchObject({ tone: "warn", notes: [expect.stringMatching(/terms of C/)] });
  });

  it("allows commercial use only when every dataset does, and notes share-alike and gated sets", () => {
    const c = licenseConsequence([ds("A", "YES", { shareAlike: true }), ds("B", "YES", { gated: true })])!;
    expect(c.tone).toBe("ok");
    expect(c.license).toBe("commercial use allowed, share-alike");
    expect(c.notes).toEqual([expect.stringMatching(/^A requires derived work/), expect.stringMatching(/^B needs an approved access request/)]);
  });
});
