// Form fields from a preset's JSON schema (what GET /presets publishes), so the form follows the trainer's
// hyperparameters without a second list to keep in sync.

export type FieldSpec = {
  name: string;
  label: string;
  kind: "integer" | "number" | "string" | "enum" | "boolean";
  options?: string[];
  min?: number;
  max?: number;
  defaultValue?: unknown;
  description?: string;
};

export type Draft = Record<string, string | boolean>;

type JsonProperty = { type?: string | string[]; enum?: unknown[]; minimum?: number; exclusiveMinimum?: number; maximum?: number; exclusiveMaximum?: number; default?: unknown; description?: string; title?: string };

export function labelFor(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/[_-]+/g, " ").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function fieldsFromSchema(schema: unknown): FieldSpec[] {
  const props = (schema as { properties?: Record<string, JsonProperty> } | null)?.properties ?? {};
  return Object.entries(props).map(([name, p]) => {
    const type = Array.isArray(p.type) ? p.type.find((t) => t !== "null") : p.type;
    const kind: FieldSpec["kind"] = p.enum ? "enum" : type === "integer" || type === "number" || type === "boolean" ? type : "string";
    return {
      name,
      label: p.title ?? labelFor(name),
      kind,
      options: p.enum?.map(String),
      min: p.minimum ?? p.exclusiveMinimum,
      max: p.maximum ?? p.exclusiveMaximum,
      defaultValue: p.default,
      description: p.description,
    };
  });
}

export function defaultsOf(fields: FieldSpec[]): Draft {
  return Object.fromEntries(fields.map((f) => [f.name, f.kind === "boolean" ? f.defaultValue === true : f.defaultValue === undefined ? "" : String(f.defaultValue)]));
}

/**
 * Typed values for the request. Empty fields are left out so the server applies the preset default; text that
 * is not a number is sent as typed so the server's field error names it.
 */
export function hyperparameterValues(fields: FieldSpec[], draft: Draft): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = draft[f.name];
    if (v === undefined || v === "") continue;
    if (f.kind === "boolean") out[f.name] = v === true;
    else if ((f.kind === "integer" || f.kind === "number") && typeof v === "string") out[f.name] = Number.isFinite(Number(v)) ? Number(v) : v;
    else out[f.name] = v;
  }
  return out;
}
