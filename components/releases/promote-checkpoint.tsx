"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch, ApiProblem } from "@/lib/api/client-fetch";
import { Button } from "../ui/button";
import { EmptyState } from "../ui/empty-state";
import { Input, Select } from "../ui/input";

type Checkpoint = { step: number; sha256: string; bytes: number; createdAt: string };

/** A run's checkpoints, and the form that promotes one to a draft release (its license starts as the mix's). */
export function PromoteCheckpoint({ runId, runName, mixLicense }: { runId: string; runName: string; mixLicense: string | null }) {
  const router = useRouter();
  const ckpts = useQuery({ queryKey: ["checkpoints", runId], queryFn: () => apiFetch<{ checkpoints: Checkpoint[] }>(`/runs/${runId}/checkpoints`) });
  const suggested = mixLicense?.startsWith("non-commercial") ? "CC BY-NC 4.0" : "CC BY 4.0";
  const [f, setF] = useState({ step: "", name: runName.toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60) || "ct-encoder", version: "1.0.0", license: suggested, policy: "GATED", terms: "" });
  const create = useMutation({
    mutationFn: () => apiFetch<{ id: string }>("/releases", { method: "POST", body: { runId, step: Number(f.step || ckpts.data?.checkpoints.at(-1)?.step), name: f.name, version: f.version, license: f.license, policy: f.policy, terms: f.terms } }),
    onSuccess: (r) => router.push(`/releases/${r.id}`),
  });
  const fields = create.error instanceof ApiProblem ? create.error.fields : {};
  const list = ckpts.data?.checkpoints ?? [];
  if (ckpts.isPending) return <p className="text-sm text-muted-fg">Loading checkpoints…</p>;
  if (!list.length) return <EmptyState title="No checkpoints yet">A release is made from a checkpoint; this run has uploaded none.</EmptyState>;
  return (
    <form className="grid max-w-3xl gap-3 md:grid-cols-2" onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
      <Select label="Checkpoint" value={f.step || String(list.at(-1)!.step)} onChange={(e) => setF({ ...f, step: e.target.value })} error={fields.step}>
        {list.map((c) => <option key={c.step} value={c.step}>step {c.step} ({(c.bytes / 2 ** 20).toFixed(1)} MiB)</option>)}
      </Select>
      <Select label="Access" value={f.policy} onChange={(e) => setF({ ...f, policy: e.target.value })}>
        <option value="GATED">on request (gated)</option>
        <option value="OPEN">everyone signed in</option>
        <option value="PRIVATE">named people only</option>
      </Select>
      <Input label="Release name" value={f.name} onChange={(e) => setF({ ...f, name: e.target.value })} error={fields.name} required />
      <Input label="Version" value={f.version} onChange={(e) => setF({ ...f, version: e.target.value })} error={fields.version} required />
      <Input label="License" value={f.license} onChange={(e) => setF({ ...f, license: e.target.value })} error={fields.license} hint={mixLicense ? `training data: ${mixLicense}` : undefined} required />
      <Input label="Terms people accept" value={f.terms} onChange={(e) => setF({ ...f, terms: e.target.value })} error={fields.terms} />
      <Button type="submit" className="self-start" disabled={create.isPending}>Create a draft release</Button>
      {create.error && !Object.keys(fields).length && <p role="alert" className="text-sm text-danger md:col-span-2">{(create.error as Error).message}</p>}
    </form>
  );
}
