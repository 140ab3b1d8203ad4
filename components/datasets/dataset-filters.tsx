"use client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Button } from "../ui/button";
import { Input, Select } from "../ui/input";

export function DatasetFilters({ initial }: { initial: { q?: string; commercial?: string; verified?: string } }) {
  const router = useRouter();
  const [q, setQ] = useState(initial.q ?? "");
  const [commercial, setCommercial] = useState(initial.commercial ?? "");
  function submit(e: FormEvent) {
    e.preventDefault();
    const p = new URLSearchParams();
    if (q) p.set("q", q);
    if (commercial) p.set("commercial", commercial);
    router.push(`/datasets${p.size ? `?${p}` : ""}`);
  }
  return (
    <form role="search" onSubmit={submit} className="flex flex-wrap items-end gap-3">
      <Input label="Search" name="q" value={q} onChange={(e) => setQ(e.target.value)} placeholder="name, region, license" className="w-64" />
      <Select label="Commercial use" name="commercial" value={commercial} onChange={(e) => setCommercial(e.target.value)} className="w-48">
        <option value="">Any</option>
        <option value="YES">Allowed</option>
        <option value="NO">Not allowed</option>
        <option value="UNKNOWN">Unknown</option>
      </Select>
      <Button type="submit" variant="secondary">
        Filter
      </Button>
    </form>
  );
}
