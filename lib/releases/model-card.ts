// The model card a release starts with (README.md, YAML front matter as the Hugging Face Hub reads it): what the
// model is, what it learned from and under which terms, what it is for and not for, how to use it, how it did.
export type CardInput = {
  name: string;
  version: string;
  license: string;
  description: string;
  runName: string;
  preset: string;
  step: number;
  mix: { name: string; dataset: string; version: string | null; weight: number; license: string }[];
  mixLicense: string;
  metrics: { key: string; value: number }[];
  preprocessing: Record<string, unknown>;
  /** The server's fine-tune starter the release carries. */
  starter: { version: string; sha256: string };
};

const yamlString = (s: string) => JSON.stringify(s); // a JSON string is a valid YAML scalar

export function modelCard(c: CardInput) {
  const front = [
    "---",
    `license: ${yamlString(c.license)}`,
    "library_name: pytorch",
    "tags:",
    "  - medical-imaging",
    "  - computed-tomography",
    "  - self-supervised",
    "datasets:",
    ...c.mix.map((m) => `  - ${yamlString(`${m.dataset}${m.version ? `@${m.version}` : ""}`)}`),
    "---",
  ];
  const body = [
    `# ${c.name} ${c.version}`,
    "",
    c.description || "A self-supervised CT encoder trained with Hounsfield.",
    "",
    "## Intended use",
    "",
    "Research: feature extraction and fine-tuning for CT analysis tasks (segmentation, classification, retrieval) on",
    "data prepared with the preprocessing contract below.",
    "",
    "## Out of scope",
    "",
    "- Clinical decision-making, diagnosis or triage of patients: the model is not a medical device and was not",
    "  validated for clinical use.",
    "- Imaging other than CT, and CT prepared differently from the preprocessing contract.",
    "",
    "## Training",
    "",
    `Run \`${c.runName}\` (preset \`${c.preset}\`), checkpoint of step ${c.step}.`,
    "",
    "| dataset | version | share of samples | license |",
    "|---|---|---|---|",
    ...c.mix.map((m) => `| ${m.name} | ${m.version ?? "—"} | ${Math.round(m.weight * 100)} % | ${m.license} |`),
    "",
    `License of the training mix for the weights: ${c.mixLicense}.`,
    "",
    "## Metrics",
    "",
    ...(c.metrics.length ? ["| metric | last value |", "|---|---|", ...c.metrics.map((m) => `| ${m.key} | ${Number.isFinite(m.value) ? m.value.toPrecision(4) : String(m.value)} |`)] : ["No metrics were logged."]),
    "",
    "## Input contract",
    "",
    "```json",
    JSON.stringify(c.preprocessing, null, 2),
    "```",
    "",
    "## Use",
    "",
    "```sh",
    `npx hounsfield download ${c.name}@${c.version} --out ${c.name}`,
    `cd ${c.name} && python3 finetune_starter.py embed scan.nii.gz --out embedding.npz`,
    "```",
    "",
    `\`finetune_starter.py\` is the fine-tuning starter of Hounsfield ${c.starter.version} (sha256 \`${c.starter.sha256}\`), added by the server, not taken from the checkpoint.`,
    "",
    "## Citation",
    "",
    `If you use these weights, cite the datasets above as their licenses ask, and this release as "${c.name} ${c.version}".`,
    "",
  ];
  return [...front, "", ...body].join("\n");
}
