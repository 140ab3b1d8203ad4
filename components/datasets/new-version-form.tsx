"use client";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch, ApiProblem } from "@/lib/api/client-fetch";
import { Button } from "../ui/button";
import { Input } from "../ui/input";

/** A draft version of this dataset, then on to its page to register files. */
export function NewVersionForm({ dataset }: { dataset: string }) {
  const router = useRouter();
  const [version, setVersion] = useState(new Date().toISOString().slice(0, 7));
  const [description, setDescription] = useState("");
  const create = useMutation({
    mutationFn: () => apiFetch<{ id: string }>(`/datasets/${dataset}/versions`, { method: "POST", body: { version, description } }),
    onSuccess: (v) => router.push(`/datasets/${dataset}/versions/${v.id}`),
  });
  const fields = create.error instanceof ApiProblem ? create.error.fields : {};
  return (
    <form className="flex flex-wrap items-end gap-2" onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
      <Input label="Version" value={version} onChange={(e) => setVersion(e.target.value)} required maxLength={40} error={fields.version} />
      <Input label="What changed" value={description} onChange={(e) => setDescription(e.target.value)} maxLength={500} error={fields.description} />
      <Button type="submit" disabled={create.isPending}>New draft version</Button>
      {create.error && !Object.keys(fields).length && <p role="alert" className="w-full text-sm text-danger">{(create.error as Error).message}</p>}
    </form>
  );
}
