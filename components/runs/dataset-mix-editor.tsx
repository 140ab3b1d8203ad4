"use client";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { Input, Select } from "../ui/input";
import { licenseConsequence, type CatalogDataset } from "@/lib/runs/mix-license";

export type MixRow = { dataset: string; version: string; weight: string };
type Trainable = CatalogDataset & { published?: { id: string; version: string; scans: number }[] };

const COMMERCIAL = { YES: "commercial use allowed", NO: "non-commercial", UNKNOWN: "commercial use unknown" } as const;

export function DatasetMixEditor({ datasets, rows, onChange, errors }: {
  datasets: Trainable[];
  rows: MixRow[];
  onChange: (rows: MixRow[]) => void;
  errors: (field: string) => string | undefined;
}) {
  const bySlug = new Map(datasets.map((d) => [d.slug, d]));
  const chosen = rows.map((r) => bySlug.get(r.dataset)).filter((d): d is CatalogDataset => d !== undefined);
  const total = rows.reduce((s, r) => s + (Number(r.weight) > 0 ? Number(r.weight) : 0), 0);
  const consequence = licenseConsequence(chosen);
  const unused = datasets.filter((d) => !rows.some((r) => r.dataset === d.slug));
  const update = (i: number, patch: Partial<MixRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const error = errors("datasetMix");
  return (
    <fieldset className="flex flex-col gap-3" aria-describedby={error ? "mix-error" : undefined}>
      <legend className="mb-1 text-sm font-medium">Dataset mix</legend>
      {rows.length === 0 && (
        <p className="text-sm text-muted-fg">
          {datasets.length ? "Choose at least one dataset version. Weights set how often each is sampled." : "No dataset has a published version yet: create one on the Datasets page from files you hold."}
        </p>
      )}
      {rows.map((r, i) => {
        const d = bySlug.get(r.dataset);
        const share = total > 0 && Number(r.weight) > 0 ? Math.round((Number(r.weight) / total) * 100) : 0;
        return (
          <div key={i} className="flex flex-wrap items-start gap-3">
            <div className="flex min-w-64 flex-1 flex-col gap-1">
              <Select label={`Dataset ${i + 1}`} value={r.dataset} onChange={(e) => update(i, { dataset: e.target.value, version: bySlug.get(e.target.value)?.published?.[0]?.id ?? "" })} error={errors(`datasetMix.${i}.dataset`)}>
                {datasets.map((o) => (
                  <option key={o.slug} value={o.slug} disabled={o.slug !== r.dataset && rows.some((x) => x.dataset === o.slug)}>
                    {o.name}
                  </option>
                ))}
              </Select>
              {d && (
                <p className="text-xs text-muted-fg">
                  {d.license} · {COMMERCIAL[d.commercialUse]}
                </p>
              )}
            </div>
            {d?.published && (
              <Select label="Version" value={r.version} onChange={(e) => update(i, { version: e.target.value })} error={errors(`datasetMix.${i}.version`)} className="w-44">
                {d.published.map((v) => (
                  <option key={v.id} value={v.id}>
                    v{v.version} ({v.scans.toLocaleString("en")} volumes)
                  </option>
                ))}
              </Select>
            )}
            <Input label="Weight" type="number" min={0} step="any" value={r.weight} onChange={(e) => update(i, { weight: e.target.value })} error={errors(`datasetMix.${i}.weight`)} hint={`${share}% of samples`} className="w-32" />
            <Button variant="ghost" size="sm" className="mt-7" onClick={() => onChange(rows.filter((_, j) => j !== i))} aria-label={`Remove ${d?.name ?? "dataset"}`}>
              Remove
            </Button>
          </div>
        );
      })}
      <Button variant="secondary" size="sm" className="self-start" disabled={!unused.length} onClick={() => onChange([...rows, { dataset: unused[0].slug, version: unused[0].published?.[0]?.id ?? "", weight: "1" }])}>
        Add dataset
      </Button>
      {error && (
        <p id="mix-error" className="text-sm text-danger">
          {error}
        </p>
      )}
      {consequence && (
        <div role="status" className="flex flex-col gap-1 rounded-md border border-border bg-muted/40 p-3 text-sm">
          <div className="flex flex-wrap items-center gap-2">
            <span className="font-medium">License of the trained model:</span>
            <Badge tone={consequence.tone}>{consequence.license}</Badge>
          </div>
          {consequence.notes.map((n) => (
            <p key={n} className="text-muted-fg">
              {n}
            </p>
          ))}
        </div>
      )}
    </fieldset>
  );
}
