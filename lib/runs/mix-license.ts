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
