// What the chosen datasets' licenses mean for the trained weights, shown while choosing. The license text is
// the one the server will record (lib/runs/mix-license); the tone and notes explain it.
import { mixLicense } from "@/lib/runs/mix-license";

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
