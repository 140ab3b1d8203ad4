// Every error an API handler meets leaves as application/problem+json (RFC 9457), in the body every surface shares
// (lib/http/problem.ts); no stack traces, no SQL.
import { ForbiddenError, UnauthenticatedError } from "../auth/policy";
import { databaseProblem } from "../db/errors";
import { DomainError, type FieldError } from "../errors";
import { INTERNAL, noEndpoint, PROBLEM_HEADERS, problemBody, writeProblem } from "../http/problem";

export { INTERNAL, noEndpoint, problemBody, writeProblem };

export function problem(status: number, title: string, detail?: string, errors?: FieldError[], headers?: Record<string, string>) {
  return new Response(problemBody(status, title, detail, errors), { status, headers: { ...PROBLEM_HEADERS, ...headers } });
}

export function errorResponse(err: unknown): Response {
  if (err instanceof UnauthenticatedError) return problem(401, "Unauthorized", err.message, undefined, { "www-authenticate": "Bearer" });
  if (err instanceof ForbiddenError) return problem(403, "Forbidden", err.message);
  if (err instanceof DomainError) return problem(err.status, err.title, err.message, err.errors, err.headers);
  const db = databaseProblem(err);
  if (db) return problem(db.status, db.title, db.message, db.errors, db.headers);
  console.error("unhandled API error", err);
  return problem(INTERNAL.status, INTERNAL.title, INTERNAL.detail);
}
