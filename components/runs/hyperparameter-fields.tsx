"use client";
import { Input, Select } from "../ui/input";
import type { Draft, FieldSpec } from "@/lib/runs/schema-fields";

function rangeHint(f: FieldSpec): string | undefined {
  const d = f.defaultValue === undefined ? "" : `default ${String(f.defaultValue)}`;
  const r = f.min !== undefined && f.max !== undefined ? `${f.min} – ${f.max}` : "";
  return [d, r].filter(Boolean).join(" · ") || undefined;
}

export function HyperparameterFields({ fields, draft, onChange, errors }: {
  fields: FieldSpec[];
  draft: Draft;
  onChange: (draft: Draft) => void;
  errors: (field: string) => string | undefined;
}) {
  const set = (name: string, value: string | boolean) => onChange({ ...draft, [name]: value });
  return (
    <fieldset className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
      <legend className="mb-2 text-sm font-medium">Hyperparameters</legend>
      {fields.map((f) => {
        const error = errors(`hyperparameters.${f.name}`);
        if (f.kind === "boolean") {
          return (
            <label key={f.name} className="flex items-center gap-2 self-end pb-2 text-sm">
              <input type="checkbox" checked={draft[f.name] === true} onChange={(e) => set(f.name, e.target.checked)} aria-invalid={error ? true : undefined} />
              {f.label}
              {error && <span className="text-danger">{error}</span>}
            </label>
          );
        }
        if (f.kind === "enum") {
          return (
            <Select key={f.name} label={f.label} value={String(draft[f.name] ?? "")} onChange={(e) => set(f.name, e.target.value)} error={error}>
              {f.options?.map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </Select>
          );
        }
        const numeric = f.kind === "integer" || f.kind === "number";
        return (
          <Input
            key={f.name}
            label={f.label}
            type={numeric ? "number" : "text"}
            inputMode={f.kind === "integer" ? "numeric" : numeric ? "decimal" : undefined}
            step={f.kind === "integer" ? 1 : numeric ? "any" : undefined}
            min={f.min}
            max={f.max}
            value={String(draft[f.name] ?? "")}
            onChange={(e) => set(f.name, e.target.value)}
            error={error}
            hint={f.description ?? rangeHint(f)}
          />
        );
      })}
    </fieldset>
  );
}
