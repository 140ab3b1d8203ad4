// Every error leaves the API as application/problem+json (RFC 9457); no stack traces, no SQL.
import { ZodError } from "zod";
import { ForbiddenError, UnauthenticatedError } from "../auth/policy";
import { DomainError, type FieldError } from "../errors";

export function problem(status: number, title: string, detail?: string, errors?: FieldError[], headers?: Record<string, string>) {
  return new Response(JSON.stringify({ type: "about:blank", title, status, detail, errors }), {
    status,
    headers: { "content-type": "application/problem+json", "cache-control": "no-store", ...headers },
  });
}

export function zodFieldErrors(err: ZodError, prefix: string): FieldError[] {
  return err.issues.flatMap((i) => {
    const base = [prefix, ...i.path.map(String)].filter(Boolean).join(".");
    if (i.code === "unrecognized_keys") {
      return i.keys.map((k) => ({ field: base ? `${base}.${k}` : k, message: "unknown field" }));
    }
    return [{ field: base || prefix || "body", message: i.message }];
  });
}

export function errorResponse(err: unknown): Response {
  if (err instanceof UnauthenticatedError) return problem(401, "Unauthorized", err.message, undefined, { "www-authenticate": "Bearer" });
  if (err instanceof ForbiddenError) return problem(403, "Forbidden", err.message);
  if (err instanceof DomainError) return problem(err.status, err.title, err.message, err.errors, err.headers);
  console.error("unhandled API error", err);
  return problem(500, "Internal error", "Something went wrong on the server; it has been logged");
}
