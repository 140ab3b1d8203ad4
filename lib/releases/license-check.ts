// Whether a release license fits the data its weights learned from: data that forbids commercial use can't be
// released under a license that allows it (without an administrator's recorded override). License names are
// free text; a license is read as non-commercial when it says so (NC, "non-commercial", "research only").
export type MixSource = { name: string; license: string; commercialUse: "YES" | "NO" | "UNKNOWN"; shareAlike: boolean };

export function isNonCommercial(license: string) {
  return /(^|[\s-])NC([\s-]|$)|non[- ]?commercial|research[- ]only|academic[- ]only/i.test(license);
}

export type LicenseVerdict = { ok: boolean; problems: string[]; warnings: string[] };

export function checkReleaseLicense(license: string, mix: MixSource[]): LicenseVerdict {
  const problems: string[] = [];
  const warnings: string[] = [];
  const nonCommercial = mix.filter((m) => m.commercialUse === "NO");
  if (nonCommercial.length && !isNonCommercial(license)) {
    problems.push(`${nonCommercial.map((m) => `${m.name} (${m.license})`).join(", ")} forbid${nonCommercial.length === 1 ? "s" : ""} commercial use, so the weights can't be released under ${license}`);
  }
  const unknown = mix.filter((m) => m.commercialUse === "UNKNOWN");
  if (unknown.length && !isNonCommercial(license)) warnings.push(`check the terms of ${unknown.map((m) => m.name).join(", ")} before allowing commercial use`);
  const shareAlike = mix.filter((m) => m.shareAlike);
  if (shareAlike.length) warnings.push(`${shareAlike.map((m) => `${m.name} (${m.license})`).join(", ")} ask${shareAlike.length === 1 ? "s" : ""} derived work to keep the same license`);
  return { ok: problems.length === 0, problems, warnings };
}
