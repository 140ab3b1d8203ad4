// The one problem+json body (RFC 9457) of every surface: the route wrapper (lib/api/problem.ts), the server's own
// checks and its API dispatcher (server/web), the upload endpoint's hooks. No stack traces, no SQL.
import type http from "node:http";
import type { FieldError } from "../errors";

export const PROBLEM_HEADERS = { "content-type": "application/problem+json", "cache-control": "no-store" } as const;

export function problemBody(status: number, title: string, detail?: string, errors?: FieldError[]) {
  return JSON.stringify({ type: "about:blank", title, status, detail, errors });
}

/** The same answer written to a Node response (before or outside the route wrapper). */
export function writeProblem(res: http.ServerResponse, status: number, title: string, detail: string, headers: Record<string, string> = {}) {
  const body = problemBody(status, title, detail);
  res.writeHead(status, { ...headers, ...PROBLEM_HEADERS, "content-length": Buffer.byteLength(body) }).end(body);
}

/** The one 404 of every API surface (/api/v1, the Hub-compatible routes, any other /api path). */
export const noEndpoint = (pathname: string) => ({ status: 404, title: "Not found", detail: `No API endpoint at ${pathname.slice(0, 200)}` }) as const;

export const INTERNAL = { status: 500, title: "Internal error", detail: "Something went wrong on the server; it has been logged" } as const;
