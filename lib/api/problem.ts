// Every error leaves the API as application/problem+json (RFC 9457); no stack traces, no SQL.
import { ForbiddenError, UnauthenticatedError } from "../auth/policy";
import { databaseProblem } from "../db/errors";
import { DomainError, type FieldError } from "../errors";

export function problem(status: number, title: string, detail?: string, errors?: FieldError[], headers?: Record<string, string>) {
  return new Response(JSON.stringify({ type: "about:blank", title, status, detail, errors }), {
    status,
    headers: { "content-type": "application/problem+json", "cache-control": "no-store", ...headers },
  });
}

export function errorResponse(err: unknown): Response {
  if (err instanceof UnauthenticatedError) return problem(401, "Unauthorized", err.message, undefined, { "www-authenticate": "Bearer" });
  if (err instanceof ForbiddenError) return problem(403, "Forbidden", err.message);
  if (err instanceof DomainError) return problem(err.status, err.title, err.message, err.errors, err.headers);
  const db = databaseProblem(err);
  if (db) return problem(db.status, db.title, db.message, db.errors, db.headers);
  console.error("unhandled API error", err);
  return problem(500, "Internal error", "Something went wrong on the server; it has been logged");
}
