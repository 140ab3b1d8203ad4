// Every error leaves the server as application/problem+json (RFC 9457); no stack traces, no SQL. One body for every
// surface: the route wrapper (a Web Response), the server's own checks and its API dispatcher (a Node response).
import type http from "node:http";
import { ForbiddenError, UnauthenticatedError } from "../auth/policy";
import { databaseProblem } from "../db/errors";
import { DomainError, type FieldError } from "../errors";

const HEADERS = { "content-type": "application/problem+json", "cache-control": "no-store" };

export function problemBody(status: number, title: string, detail?: string, errors?: FieldError[]) {
  return JSON.stringify({ type: "about:blank", title, status, detail, errors });
}

export function problem(status: number, title: string, detail?: string, errors?: FieldError[], headers?: Record<string, string>) {
  return new Response(problemBody(status, title, detail, errors), { status, headers: { ...HEADERS, ...headers } });
}

/** The same answer written to a Node response (before or outside the route wrapper). */
export function writeProblem(res: http.ServerResponse, status: number, title: string, detail: string, headers: Record<string, string> = {}) {
  const body = problemBody(status, title, detail);
  res.writeHead(status, { ...headers, ...HEADERS, "content-length": Buffer.byteLength(body) }).end(body);
}

/** The one 404 of every API surface (/api/v1, the Hub-compatible routes, any other /api path). */
export const noEndpoint = (pathname: string) => ({ status: 404, title: "Not found", detail: `No API endpoint at ${pathname.slice(0, 200)}` }) as const;

export const INTERNAL = { status: 500, title: "Internal error", detail: "Something went wrong on the server; it has been logged" } as const;

export function errorResponse(err: unknown): Response {
  if (err instanceof UnauthenticatedError) return problem(401, "Unauthorized", err.message, undefined, { "www-authenticate": "Bearer" });
  if (err instanceof ForbiddenError) return problem(403, "Forbidden", err.message);
  if (err instanceof DomainError) return problem(err.status, err.title, err.message, err.errors, err.headers);
  const db = databaseProblem(err);
  if (db) return problem(db.status, db.title, db.message, db.errors, db.headers);
  console.error("unhandled API error", err);
  return problem(INTERNAL.status, INTERNAL.title, INTERNAL.detail);
}
