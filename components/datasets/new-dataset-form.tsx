"use client";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch, ApiProblem } from "@/lib/api/client-fetch";
import { Button } from "../ui/button";
import { Input, Select } from "../ui/input";

/** A team dataset: its name and license terms (what every run trained on it will inherit). */
export function NewDatasetForm() {
  const router = useRouter();
  const [f, setF] = useState({ name: "", license: "", commercialUse: "UNKNOWN", shareAlike: false, gated: true, bodyRegion: "" });
  const create = useMutation({
    mutationFn: () => apiFetch<{ slug: string }>("/datasets", { method: "POST", body: f }),
    onSuccess: (d) => router.push(`/datasets/${d.slug}`),
  });
  const fields = create.error instanceof ApiProblem ? create.error.fields : {};
  return (
    <details className="rounded border border-border p-3">
      <summary className="cursor-pointer font-medium">New team dataset</summary>
      <form className="mt-3 grid gap-3 md:grid-cols-3" onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
        <Input label="Name" value={f.name} onChange={(e) => setF({ ...f, name: e.target.value })} required maxLength={200} error={fields.name} />
        <Input label="License" value={f.license} onChange={(e) => setF({ ...f, license: e.target.value })} required maxLength={200} placeholder="e.g. internal: no redistribution" error={fields.license} />
        <Input label="Body region" value={f.bodyRegion} onChange={(e) => setF({ ...f, bodyRegion: e.target.value })} maxLength={200} error={fields.bodyRegion} />
        <Select label="Commercial use" value={f.commercialUse} onChange={(e) => setF({ ...f, commercialUse: e.target.value })}>
          <option value="UNKNOWN">unknown</option>
          <option value="YES">allowed</option>
          <option value="NO">not allowed</option>
        </Select>
        <label className="flex items-center gap-2 text-sm"><input type="checkbox" checked={f.shareAlike} onChange={(e) => setF({ ...f, shareAlike: e.target.checked })} /> Share-alike</label>
        <label className="flex items-center gap-2 text-sm"><input type="checkbox" checked={f.gated} onChange={(e) => setF({ ...f, gated: e.target.checked })} /> Needs a data-use agreement</label>
        <div className="md:col-span-3"><Button type="submit" disabled={create.isPending}>Create dataset</Button></div>
        {create.error && !Object.keys(fields).length && <p role="alert" className="text-sm text-danger md:col-span-3">{(create.error as Error).message}</p>}
      </form>
    </details>
  );
}
