// /api/v1 served without Next's per-request machinery. Those route modules are plain (Request, params) →
// Response functions built on lib/api/route.ts, so the server calls them itself: measured on the project's
// machine, GET /api/v1/health took 4.7 ms through Next and 1.9 ms called directly, and that difference is paid by
// every chart read, metric batch and agent heartbeat. The route list is the one Next built
// (.next/app-path-routes-manifest.json), so both agree on which routes exist; pages, next-auth and unknown API
// paths outside /api/v1 and the Hub-compatible routes still go to Next.
import { readFileSync } from "node:fs";
import type http from "node:http";
import path from "node:path";
import { ReadStream } from "node:fs";
import { Readable } from "node:stream";
import { pathToFileURL } from "node:url";
import { BYTES_BODY } from "../../lib/api/json-response";
import { INTERNAL, noEndpoint, problemBody, writeProblem } from "../../lib/api/problem";
import { NODE_BODY } from "../../lib/api/ranged-response";
import { fileOf, sendFile } from "../../lib/http/send-file";
import { PROJECT_ROOT } from "../build";


type Handler = (req: Request, ctx: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;
type Route = { pattern: RegExp; names: string[]; rest: Set<string>; handlers: Partial<Record<string, Handler>> };

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const;

function compile(route: string) {
  const names: string[] = [];
  const rest = new Set<string>();
  const source = route
    .split("/")
    .map((part) => {
      const m = /^\[(\.\.\.)?(\w+)\]$/.exec(part);
      if (!m) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      names.push(m[2]);
      // A catch-all takes the rest of the path, its segments a list (as Next gives them).
      if (m[1]) rest.add(m[2]);
      return m[1] ? "(.+)" : "([^/]+)";
    })
    .join("/");
  return { pattern: new RegExp(`^${source}$`), names, rest };
}

/** The Hugging Face Hub-compatible routes, where its clients look for them. */
export const HUB_PATH = /^\/(api\/models\/[^/]+\/[^/]+(\/|$)|[^/]+\/[^/]+\/resolve\/)/;
const served = (r: string) => r.startsWith("/api/v1/") || HUB_PATH.test(r);

/** Imports every /api/v1 and Hub-compatible route module Next built, once, at startup. */
export async function loadApiRoutes(): Promise<Route[]> {
  const manifest = JSON.parse(readFileSync(path.join(PROJECT_ROOT, ".next", "app-path-routes-manifest.json"), "utf8")) as Record<string, string>;
  const routes = Object.values(manifest).filter(served);
  return Promise.all(
    routes.map(async (r) => {
      const mod = (await import(pathToFileURL(path.join(PROJECT_ROOT, "app", r, "route.ts")).href)) as Record<string, Handler>;
      const handlers = Object.fromEntries(METHODS.filter((m) => typeof mod[m] === "function").map((m) => [m, mod[m]]));
      return { ...compile(r), handlers };
    }),
  );
}

function decodeParam(raw: string) {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw; // not valid percent-encoding: the route's schema refuses it with a 400
  }
}

/** Answers every /api/v1 and Hub-compatible request: a built route, or a 404 problem (never one of Next's
 * redirects or pages). */
export async function serveApi(routes: Route[], req: http.IncomingMessage, res: http.ServerResponse, origin: string): Promise<void> {
  const url = URL.parse(req.url ?? "/", origin);
  if (!url) return writeProblem(res, 400, "Bad request", "The request target is not a valid URL");
  const route = routes.find((r) => r.pattern.test(url.pathname));
  if (!route) {
    const nf = noEndpoint(url.pathname);
    return writeProblem(res, nf.status, nf.title, nf.detail);
  }
  // HEAD is the route's own where it has one (tus asks an upload's offset with HEAD), else GET without a body.
  const method = req.method === "HEAD" && !route.handlers.HEAD ? "GET" : (req.method ?? "GET");
  const allow = [...new Set([...Object.keys(route.handlers), ...(route.handlers.GET ? ["HEAD"] : []), "OPTIONS"])].sort().join(", ");
  if (method === "OPTIONS") return void res.writeHead(204, { allow }).end();
  const handler = route.handlers[method];
  if (!handler) return writeProblem(res, 405, "Method not allowed", `${method} is not allowed here`, { allow });
  const values = route.pattern.exec(url.pathname)!.slice(1);
  const params = Object.fromEntries(route.names.map((n, i) => [n, route.rest.has(n) ? values[i].split("/").map(decodeParam) : decodeParam(values[i])]));
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(", ") : v);
  const hasBody = method !== "GET" && method !== "HEAD" && method !== "DELETE";
  // A client that goes away aborts the request: a handler still reading its body stops there.
  const abort = new AbortController();
  res.on("close", () => !res.writableFinished && abort.abort());
  const request = new Request(url, { method, headers, signal: abort.signal, ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream, duplex: "half" } : {}) } as RequestInit);
  let response: Response;
  try {
    response = await handler(request, { params: Promise.resolve(params) });
  } catch (e) {
    console.error("API handler failed", e);
    response = new Response(problemBody(INTERNAL.status, INTERNAL.title, INTERNAL.detail), { status: 500, headers: { "content-type": "application/problem+json", "cache-control": "no-store" } });
  }
  const out: Record<string, string | string[]> = {};
  response.headers.forEach((v, k) => (out[k] = v));
  const cookies = response.headers.getSetCookie();
  if (cookies.length) out["set-cookie"] = cookies;
  const bytes = (response as unknown as Record<symbol, Buffer | undefined>)[BYTES_BODY];
  if (bytes) return void res.writeHead(response.status, out).end(req.method === "HEAD" ? undefined : bytes);
  res.writeHead(response.status, out);
  const nodeBody = (response as unknown as Record<symbol, Readable | undefined>)[NODE_BODY];
  if (req.method === "HEAD" || (!response.body && !nodeBody)) {
    nodeBody?.destroy();
    return void res.end();
  }
  // A file is sent from its path with reused buffers (lib/http/send-file.ts); another Node stream goes straight to the
  // socket (see lib/api/ranged-response.ts); other bodies are Web streams.
  const file = nodeBody instanceof ReadStream ? fileOf(nodeBody) : null;
  if (file) {
    nodeBody!.destroy();
    return void sendFile(res, file).catch(() => void res.destroy());
  }
  const body = nodeBody ?? Readable.fromWeb(response.body as never);
  res.on("close", () => body.destroy());
  body.on("error", () => res.destroy()).pipe(res);
}
