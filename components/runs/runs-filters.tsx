"use client";
import { useState, type FormEvent } from "react";
import { RUN_STATUSES } from "@/lib/schemas/run";
import { Button } from "../ui/button";
import { Input, Select } from "../ui/input";
import type { RunListFilters } from "./run-types";

const TEXT_FIELDS = ["q", "tag", "owner", "dataset"] as const;

export function RunsFilters({ value, onChange }: { value: RunListFilters; onChange: (next: RunListFilters) => void }) {
  const [draft, setDraft] = useState(value);
  const set = (patch: Partial<RunListFilters>) => setDraft((d) => ({ ...d, ...patch }));
  function submit(e: FormEvent) {
    e.preventDefault();
    const next = { ...draft };
    for (const f of TEXT_FIELDS) next[f] = draft[f]?.trim() || undefined;
    onChange(next);
  }
  const filtered = TEXT_FIELDS.some((f) => value[f]) || value.status || value.archived === "true";
  return (
    <form role="search" aria-label="Filter runs" onSubmit={submit} className="flex flex-wrap items-end gap-3">
      <Input label="Search" value={draft.q ?? ""} onChange={(e) => set({ q: e.target.value })} placeholder="name or description" className="w-56" />
      <Select label="Status" value={draft.status ?? ""} onChange={(e) => set({ status: (e.target.value || undefined) as RunListFilters["status"] })} className="w-36">
        <option value="">Any</option>
        {RUN_STATUSES.map((s) => (
          <option key={s} value={s}>
            {s.toLowerCase()}
          </option>
        ))}
      </Select>
      <Input label="Tag" value={draft.tag ?? ""} onChange={(e) => set({ tag: e.target.value })} className="w-36" />
      <Input label="Owner" value={draft.owner ?? ""} onChange={(e) => set({ owner: e.target.value })} placeholder="me or an email" className="w-44" />
      <Input label="Dataset" value={draft.dataset ?? ""} onChange={(e) => set({ dataset: e.target.value })} placeholder="slug" className="w-36" />
      <label className="flex h-10 items-center gap-2 text-sm">
        <input type="checkbox" checked={draft.archived === "true"} onChange={(e) => set({ archived: e.target.checked ? "true" : "false" })} />
        Archived
      </label>
      <Button type="submit" variant="secondary">
        Filter
      </Button>
      {filtered && (
        <Button
          variant="ghost"
          onClick={() => {
            const cleared = { sort: value.sort, order: value.order };
            setDraft(cleared);
            onChange(cleared);
          }}
        >
          Clear filters
        </Button>
      )}
    </form>
  );
}
