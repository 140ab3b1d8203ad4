"use client";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch, ApiProblem } from "@/lib/api/client-fetch";
import { Button } from "../ui/button";
import { Input, Select } from "../ui/input";

type Editable = { slug: string; name: string; host: string; ctVolumes: number | null; reports: string; bodyRegion: string; format: string; license: string; commercialUse: string; redistribution: string; shareAlike: boolean; gated: boolean; access: string; notes: string; verified: string; catalog: boolean };

/** Edits a dataset's facts and license terms; a change of terms asks why, for the license history. */
export function EditDatasetForm({ dataset }: { dataset: Editable }) {
  const router = useRouter();
  const [f, setF] = useState({ ...dataset, ctVolumes: dataset.ctVolumes === null ? "" : String(dataset.ctVolumes), licenseNote: "" });
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const save = useMutation({
    mutationFn: () => {
      const { slug: _s, catalog: _c, ctVolumes, licenseNote, ...rest } = f;
      return apiFetch(`/datasets/${dataset.slug}`, { method: "PATCH", body: { ...rest, ctVolumes: ctVolumes === "" ? null : Number(ctVolumes), ...(licenseNote ? { licenseNote } : {}) } });
    },
    onSuccess: () => router.refresh(),
  });
  const fields = save.error instanceof ApiProblem ? save.error.fields : {};
  const termsChanged = f.license !== dataset.license || f.commercialUse !== dataset.commercialUse || f.shareAlike !== dataset.shareAlike || f.gated !== dataset.gated || f.redistribution !== dataset.redistribution;
  return (
    <details className="rounded border border-border p-3">
      <summary className="cursor-pointer font-medium">Edit {dataset.catalog ? "catalog entry" : "dataset"}</summary>
      <form className="mt-3 grid gap-3 md:grid-cols-3" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
        <Input label="Name" value={f.name} onChange={set("name")} error={fields.name} required />
        <Input label="Source" value={f.host} onChange={set("host")} error={fields.host} />
        <Input label="CT volumes" type="number" min={0} value={f.ctVolumes} onChange={set("ctVolumes")} error={fields.ctVolumes} />
        <Input label="Reports" value={f.reports} onChange={set("reports")} error={fields.reports} />
        <Input label="Body region" value={f.bodyRegion} onChange={set("bodyRegion")} error={fields.bodyRegion} />
        <Input label="Format" value={f.format} onChange={set("format")} error={fields.format} />
        <Input label="License" value={f.license} onChange={set("license")} error={fields.license} required />
        <Select label="Commercial use" value={f.commercialUse} onChange={set("commercialUse")}>
          <option value="UNKNOWN">unknown</option>
          <option value="YES">allowed</option>
          <option value="NO">not allowed</option>
        </Select>
        <Input label="Redistribution" value={f.redistribution} onChange={set("redistribution")} error={fields.redistribution} />
        <Input label="Access" value={f.access} onChange={set("access")} error={fields.access} />
        <Select label="Verified" value={f.verified} onChange={set("verified")}>
          <option value="YES">verified from a primary source</option>
          <option value="PARTLY">partly verified</option>
          <option value="NO">unverified</option>
        </Select>
        <Input label="Notes" value={f.notes} onChange={set("notes")} error={fields.notes} />
        <label className="flex items-center gap-2 text-sm"><input type="checkbox" checked={f.shareAlike} onChange={(e) => setF({ ...f, shareAlike: e.target.checked })} /> Share-alike</label>
        <label className="flex items-center gap-2 text-sm"><input type="checkbox" checked={f.gated} onChange={(e) => setF({ ...f, gated: e.target.checked })} /> Registration or data-use agreement required</label>
        {termsChanged && <Input label="Why the license terms changed" value={f.licenseNote} onChange={set("licenseNote")} error={fields.licenseNote} hint="kept in the license history" />}
        <div className="md:col-span-3"><Button type="submit" disabled={save.isPending}>Save</Button></div>
        {save.error && !Object.keys(fields).length && <p role="alert" className="text-sm text-danger md:col-span-3">{(save.error as Error).message}</p>}
        {save.isSuccess && <p role="status" className="text-sm text-ok md:col-span-3">Saved.</p>}
      </form>
    </details>
  );
}
