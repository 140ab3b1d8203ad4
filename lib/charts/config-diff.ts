// The compare view's config table: every setting flattened to a dotted key so nested objects diff leaf by
// leaf; arrays stay whole (a changed crop is one row, not three).

export type ConfigValues = Record<string, string>;
export type DiffRow = { key: string; values: (string | null)[]; differs: boolean };

type RunLike = {
  preset: string;
  gpus: number;
  executor: string;
  datasetMix: { dataset: string; weight: number }[];
  config: Record<string, unknown>;
};

export function flattenConfig(value: unknown, prefix = "", out: ConfigValues = {}): ConfigValues {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flattenConfig(v, prefix ? `${prefix}.${k}` : k, out);
    return out;
  }
  if (value === undefined || !prefix) return out;
  out[prefix] = typeof value === "string" ? value : JSON.stringify(value);
  return out;
}

/** The settings that shape a run, in one flat map. The mix is keyed by dataset so a changed weight is one row. */
export function runConfigValues(run: RunLike): ConfigValues {
  const out: ConfigValues = { preset: run.preset, executor: run.executor, gpus: String(run.gpus) };
  for (const m of run.datasetMix) out[`datasetMix.${m.dataset}`] = String(m.weight);
  return flattenConfig(run.config, "", out);
}

const RANK = ["preset", "executor", "gpus", "datasetMix."];

function rank(key: string): number {
  const i = RANK.findIndex((r) => (r.endsWith(".") ? key.startsWith(r) : key === r));
  return i === -1 ? RANK.length : i;
}

/** Rows in a fixed order (run shape first, then the rest by key) so the table does not reshuffle between polls. */
export function diffConfigs(runs: readonly ConfigValues[], { all = false }: { all?: boolean } = {}): DiffRow[] {
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r)))];
  keys.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  return keys
    .map((key) => {
      const values = runs.map((r) => (Object.hasOwn(r, key) ? r[key] : null));
      return { key, values, differs: values.some((v) => v !== values[0]) };
    })
    .filter((row) => all || row.differs);
}
