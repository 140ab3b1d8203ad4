"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useMemo, useState, type FormEvent } from "react";
import { apiFetch, ApiProblem, type FieldErrors } from "@/lib/api/client-fetch";
import { Button } from "../ui/button";
import { Input, Select } from "../ui/input";
import { DatasetMixEditor, type MixRow } from "./dataset-mix-editor";
import { HyperparameterFields } from "./hyperparameter-fields";
import type { CatalogDataset } from "@/lib/runs/mix-license";
import { defaultsOf, fieldsFromSchema, hyperparameterValues, type Draft } from "@/lib/runs/schema-fields";

type LiveWorker = { name: string; status: string; executor: string; gpus: unknown[]; labels: string[] };

/** Which attached workers could take a run of this size and executor, said next to the GPU field. */
function fitHint(live: LiveWorker[], gpus: number, executor: string, labels: string[]) {
  if (!live.length) return "No worker is attached: the run waits in the queue until one is (see Workers).";
  const takes: Record<string, string[]> = { LOCAL: ["LOCAL", "TORCHRUN"], TORCHRUN: ["TORCHRUN"], SLURM: ["SLURM"] };
  const fit = live.filter((w) => takes[executor]?.includes(w.executor) && w.gpus.length >= gpus && labels.every((l) => w.labels.includes(l)));
  if (!fit.length) {
    const want = `${gpus} GPU${gpus === 1 ? "" : "s"} for the ${executor.toLowerCase()} executor${labels.length ? ` with ${labels.join(", ")}` : ""}`;
    return `No attached worker has ${want} (${live.map((w) => `${w.name}: ${w.gpus.length} GPUs${w.labels.length ? `, ${w.labels.join(" ")}` : ""}`).join("; ")}): the run will wait.`;
  }
  return `Fits ${fit.map((w) => w.name).join(", ")}.`;
}

type Preset = { name: string; label: string; crop: number[]; patch: number[]; params: string; hyperparameters: unknown };

const EXECUTORS = [
  { value: "LOCAL", label: "Local (one process per GPU host)" },
  { value: "TORCHRUN", label: "torchrun (multi-GPU)" },
  { value: "SLURM", label: "Slurm" },
];

/** Field errors the form shows next to an input; anything else goes to the summary at the bottom. */
const PLACED = /^(name|description|tags(\.\d+)?|preset|gpus|executor|workerLabels(\.\d+)?|retry\.maxAttempts|datasetMix(\.\d+\.(dataset|version|weight))?|hyperparameters\.\w+)$/;

/** Empty means "the default"; anything unparsable reaches the server, whose field error names it. */
const num = (s: string) => (s.trim() === "" ? undefined : Number(s));

export function NewRunForm() {
  const router = useRouter();
  const presets = useQuery({ queryKey: ["presets"], queryFn: () => apiFetch<{ presets: Preset[] }>("/presets"), staleTime: Infinity });
  const datasets = useQuery({ queryKey: ["datasets", "trainable"], queryFn: () => apiFetch<{ datasets: CatalogDataset[] }>("/datasets?trainable=true") });
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [tags, setTags] = useState("");
  const [presetName, setPresetName] = useState<string | null>(null);
  const [draft, setDraft] = useState<Draft>({});
  const [mix, setMix] = useState<MixRow[]>([]);
  // Until the person types a number: 1 GPU where a live worker has one, else 0 (a CPU worker can take it).
  const [gpusTyped, setGpus] = useState<string | null>(null);
  const workers = useQuery({ queryKey: ["workers"], queryFn: () => apiFetch<{ workers: LiveWorker[] }>("/workers"), staleTime: 10_000 });
  const live = (workers.data?.workers ?? []).filter((w) => w.status !== "lost" && w.status !== "removed");
  const gpus = gpusTyped ?? (live.length && live.every((w) => w.gpus.length === 0) ? "0" : "1");
  const [executor, setExecutor] = useState("LOCAL");
  const [attempts, setAttempts] = useState("2");
  const [labels, setLabels] = useState("");
  const [resume, setResume] = useState(true);
  const [errors, setErrors] = useState<FieldErrors & { form?: string }>({});

  const list = presets.data?.presets ?? [];
  const preset = list.find((p) => p.name === presetName) ?? list.find((p) => p.name === "small") ?? list[0];
  const fields = useMemo(() => fieldsFromSchema(preset?.hyperparameters), [preset]);
  // Values the person typed survive a preset change wherever the new preset has the same field.
  const values = { ...defaultsOf(fields), ...Object.fromEntries(Object.entries(draft).filter(([k]) => fields.some((f) => f.name === k))) };

  const create = useMutation({
    mutationFn: () =>
      apiFetch<{ id: string }>("/runs", {
        method: "POST",
        body: {
          name,
          description,
          tags: tags.split(/[\s,]+/).filter(Boolean),
          preset: preset?.name,
          hyperparameters: hyperparameterValues(fields, values),
          datasetMix: mix.map((m) => ({ dataset: m.dataset, ...(m.version ? { version: m.version } : {}), weight: m.weight === "" ? 0 : Number(m.weight) })),
          gpus: num(gpus),
          workerLabels: labels.split(/[\s,]+/).filter(Boolean),
          executor,
          retry: { maxAttempts: num(attempts), resumeFromCheckpoint: resume },
        },
      }),
    onSuccess: (run) => router.push(`/runs/${run.id}`),
    onError: (e) => setErrors(e instanceof ApiProblem ? { ...e.fields, form: e.message } : { form: String(e) }),
  });

  const err = (field: string) => errors[field];
  const unplaced = Object.entries(errors).filter(([k]) => k !== "form" && !PLACED.test(k));
  function submit(e: FormEvent) {
    e.preventDefault();
    setErrors({});
    create.mutate();
  }

  if (presets.isPending || datasets.isPending) {
    return <p role="status" className="flex h-96 items-center justify-center text-sm text-muted-fg">Loading presets and datasets…</p>;
  }
  if (presets.isError || datasets.isError) {
    return (
      <p role="alert" className="text-sm text-danger">
        Could not load {presets.isError ? "presets" : "datasets"}: {(presets.error ?? datasets.error)?.message}
      </p>
    );
  }
  const catalog = datasets.data.datasets;
  return (
    <form onSubmit={submit} noValidate className="flex max-w-4xl flex-col gap-8" aria-describedby={errors.form ? "run-form-error" : undefined}>
      <section aria-labelledby="run-basics" className="flex flex-col gap-4">
        <h2 id="run-basics" className="font-semibold">Run</h2>
        <Input label="Name" value={name} onChange={(e) => setName(e.target.value)} error={err("name")} required maxLength={120} autoFocus />
        <div className="flex flex-col gap-1">
          <label htmlFor="run-description" className="text-sm font-medium">
            Description
          </label>
          <textarea id="run-description" value={description} onChange={(e) => setDescription(e.target.value)} rows={3} maxLength={5000} aria-invalid={err("description") ? true : undefined} className="rounded-md border border-border bg-card px-3 py-2 text-sm aria-[invalid=true]:border-danger" />
          {err("description") && <p className="text-sm text-danger">{err("description")}</p>}
        </div>
        <Input label="Tags" value={tags} onChange={(e) => setTags(e.target.value)} hint="Separated by commas or spaces, e.g. baseline abdomen" error={err("tags") ?? Object.entries(errors).find(([k]) => k.startsWith("tags."))?.[1]} />
      </section>

      <section aria-labelledby="run-model" className="flex flex-col gap-4">
        <h2 id="run-model" className="font-semibold">Model</h2>
        <Select label="Preset" value={preset?.name ?? ""} onChange={(e) => setPresetName(e.target.value)} error={err("preset")}>
          {list.map((p) => (
            <option key={p.name} value={p.name}>
              {p.label} · {p.params} parameters · crop {p.crop.join("×")} · patch {p.patch.join("×")}
            </option>
          ))}
        </Select>
        <HyperparameterFields fields={fields} draft={values} onChange={setDraft} errors={err} />
      </section>

      <section aria-labelledby="run-data" className="flex flex-col gap-4">
        <h2 id="run-data" className="font-semibold">Data</h2>
        {catalog.length ? (
          <DatasetMixEditor datasets={catalog} rows={mix} onChange={setMix} errors={err} />
        ) : (
          <p className="text-sm text-muted-fg">
            The dataset catalog is empty. Run <code>npx hounsfield seed</code> to load it.
          </p>
        )}
      </section>

      <section aria-labelledby="run-compute" className="flex flex-col gap-4">
        <h2 id="run-compute" className="font-semibold">Compute</h2>
        <div className="flex flex-wrap gap-4">
          <Input label="GPUs" type="number" min={0} max={1024} step={1} value={gpus} onChange={(e) => setGpus(e.target.value)} error={err("gpus")} hint={workers.data ? fitHint(live, Number(gpus) || 0, executor, labels.split(/[\s,]+/).filter(Boolean)) : undefined} className="w-64" />
          <Select label="Executor" value={executor} onChange={(e) => setExecutor(e.target.value)} error={err("executor")} className="w-72">
            {EXECUTORS.map((x) => (
              <option key={x.value} value={x.value}>
                {x.label}
              </option>
            ))}
          </Select>
          <Input label="Worker labels" value={labels} onChange={(e) => setLabels(e.target.value)} hint="Only workers with all of these, e.g. site=a fabric=ib" error={err("workerLabels") ?? Object.entries(errors).find(([k]) => k.startsWith("workerLabels"))?.[1]} className="w-72" />
          <Input label="Retry attempts" type="number" min={0} max={20} step={1} value={attempts} onChange={(e) => setAttempts(e.target.value)} error={err("retry.maxAttempts")} hint="After a lost or preempted worker" className="w-40" />
        </div>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={resume} onChange={(e) => setResume(e.target.checked)} />
          Resume retries from the last checkpoint
        </label>
      </section>

      {(errors.form || unplaced.length > 0) && (
        <div id="run-form-error" role="alert" className="rounded-md border border-danger p-3 text-sm text-danger">
          <p>{errors.form ?? "The run could not be created."}</p>
          {unplaced.length > 0 && (
            <ul className="mt-1 list-disc pl-5">
              {unplaced.map(([k, v]) => (
                <li key={k}>
                  <code>{k}</code>: {v}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div className="flex gap-3">
        <Button type="submit" disabled={create.isPending} aria-busy={create.isPending || undefined}>
          {create.isPending ? "Starting…" : "Start run"}
        </Button>
        <Button variant="ghost" onClick={() => router.back()}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
