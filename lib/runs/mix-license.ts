// What the training data's licenses allow for the weights: the most restrictive term in the mix wins.
type Source = { name: string; license: string; commercialUse: "YES" | "NO" | "UNKNOWN"; shareAlike: boolean };

export function mixLicense(sources: Source[]) {
  const nonCommercial = sources.filter((s) => s.commercialUse === "NO");
  const unknown = sources.filter((s) => s.commercialUse === "UNKNOWN");
  const shareAlike = sources.some((s) => s.shareAlike);
  const parts = [nonCommercial.length ? "non-commercial" : unknown.length ? "commercial use unclear" : "commercial use allowed"];
  if (shareAlike) parts.push("share-alike");
  const because = [...nonCommercial, ...unknown].map((s) => `${s.name}: ${s.license}`);
  return because.length ? `${parts.join(", ")} (${because.join("; ")})` : parts.join(", ");
}

// The same terms explained while choosing: the license text is the one the server records; the tone and notes
// say what it means for the trained weights.

export type CatalogDataset = { slug: string; name: string; license: string; commercialUse: "YES" | "NO" | "UNKNOWN"; shareAlike: boolean; gated: boolean };

export type LicenseConsequence = { tone: "ok" | "warn" | "danger"; license: string; notes: string[] };

const names = (list: CatalogDataset[]) => list.map((d) => d.name).join(", ");
const verb = (list: CatalogDataset[], one: string, many: string) => `${names(list)} ${list.length === 1 ? one : many}`;

export function licenseConsequence(chosen: CatalogDataset[]): LicenseConsequence | null {
  if (!chosen.length) return null;
  const no = chosen.filter((d) => d.commercialUse === "NO");
  const unknown = chosen.filter((d) => d.commercialUse === "UNKNOWN");
  const shareAlike = chosen.filter((d) => d.shareAlike);
  const gated = chosen.filter((d) => d.gated);
  const notes: string[] = [];
  if (no.length) notes.push(`${verb(no, "forbids", "forbid")} commercial use, so the trained model may only be used non-commercially.`);
  else if (unknown.length) notes.push(`Check the terms of ${names(unknown)} before any commercial use of the model.`);
  if (shareAlike.length) notes.push(`${verb(shareAlike, "requires", "require")} derived work to keep the same license.`);
  if (gated.length) notes.push(`${verb(gated, "needs", "need")} an approved access request before a worker can download it.`);
  return { tone: no.length ? "danger" : unknown.length ? "warn" : "ok", license: mixLicense(chosen), notes };
}
