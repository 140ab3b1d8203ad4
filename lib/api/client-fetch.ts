// Browser-side calls to /api/v1; a problem+json answer becomes an ApiProblem carrying the field errors.
export type FieldErrors = Record<string, string>;

export class ApiProblem extends Error {
  constructor(public readonly status: number, message: string, public readonly fields: FieldErrors) {
    super(message);
  }
}

export async function apiFetch<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(`/api/v1${path}`, {
    method: init.method ?? "GET",
    headers: init.body === undefined ? undefined : { "content-type": "application/json" },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    credentials: "same-origin",
  });
  if (res.ok) return (await res.json()) as T;
  const p = (await res.json().catch(() => ({}))) as { title?: string; detail?: string; errors?: { field: string; message: string }[] };
  const fields: FieldErrors = {};
  for (const e of p.errors ?? []) fields[e.field] ??= e.message;
  throw new ApiProblem(res.status, p.detail ?? p.title ?? `Request failed (${res.status})`, fields);
}
