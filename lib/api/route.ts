// The one wrapper every /api/v1 handler goes through: who is calling, may they, is the input valid,
// and every failure as problem+json.
import type { z } from "zod";
import { assertCan, UnauthenticatedError, type Actor } from "../auth/policy";
import { resolveActor } from "../auth/resolve-actor";
import { publicUrl } from "../env";
import { DomainError, invalid, zodFieldErrors } from "../errors";
import { hostAllowed } from "../http/allowed-host";
import { clientIp, lastHop } from "../http/client-ip";
import type { Contract } from "./contract";
import { jsonResponse } from "./json-response";
import { errorResponse } from "./problem";
import { readJson } from "./read-body";

const DEFAULT_BODY_LIMIT = 64 * 1024;

type Infer<T> = T extends z.ZodType ? z.output<T> : undefined;

export type HandlerInput<C extends Contract> = {
  actor: Actor;
  ip: string | null;
  params: Infer<C["params"]>;
  query: Infer<C["query"]>;
  body: Infer<C["body"]>;
  req: Request;
};
type Output<C extends Contract> = C["response"] extends z.ZodType ? z.input<C["response"]> : unknown;

const MAX_DEPTH = 32;

/** The path of the first string holding a NUL character (PostgreSQL text can't store one), or of a value nested
 * deeper than anything the API takes, if any. */
function nulAt(value: unknown, at: string[] = []): string | null {
  if (typeof value === "string") return value.includes("\u0000") ? at.join(".") || "body" : null;
  if (at.length > MAX_DEPTH) return at.join(".");
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nulAt(value[i], [...at, String(i)]);
      if (found) return found;
    }
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      const found = nulAt(k, at) ?? nulAt(v, [...at, k]);
      if (found) return found;
    }
  }
  return null;
}

function parse(schema: z.ZodType | undefined, value: unknown, where: string) {
  if (!schema) return undefined;
  const r = schema.safeParse(value ?? (where === "body" ? undefined : {}));
  if (!r.success) throw new DomainError(`Invalid ${where}`, 400, "Invalid request", zodFieldErrors(r.error, where === "body" ? "" : where));
  const nul = nulAt(r.data, where === "body" ? [] : [where]);
  if (nul) throw invalid(`Invalid ${where}`, [{ field: nul, message: `NUL characters and nesting deeper than ${MAX_DEPTH} levels are not allowed` }]);
  return r.data;
}

function queryObject(url: URL) {
  const out: Record<string, string> = {};
  for (const [k, v] of url.searchParams) out[k] = v;
  return out;
}

/** Session cookies ride along on cross-site requests; a write carried by one must come from our own origin. */
function assertSameOrigin(req: Request) {
  if (req.method === "GET" || req.method === "HEAD" || req.headers.get("authorization")) return;
  const origin = req.headers.get("origin");
  if (!origin) return;
  // "null" (sandboxed frames, some redirects) and other non-URLs are simply not our origin. The Host header
  // only counts when it is one of ours (the server refuses others; this keeps `next start` just as strict).
  const host = lastHop(req.headers.get("x-forwarded-host")) ?? req.headers.get("host");
  const originHost = URL.canParse(origin) ? new URL(origin).host : null;
  if (origin === publicUrl() || (host && originHost === host && hostAllowed(host))) return;
  throw new DomainError("Cross-site request refused", 403, "Forbidden");
}

export function route<C extends Contract>(contract: C, handler: (input: HandlerInput<C>) => Promise<Output<C> | Response>) {
  return async (req: Request, ctx: { params: Promise<Record<string, string | string[]>> }) => {
    try {
      assertSameOrigin(req);
      let actor: Actor;
      if (contract.auth === "public") {
        actor = await resolveActor(req.headers).catch(() => ({ kind: "anonymous" }) as Actor);
      } else if (contract.auth === "optional") {
        // Credentials that were sent must be good: a dead token hears so rather than getting the visitor's view.
        actor = await resolveActor(req.headers);
        if (actor.kind !== "anonymous" && contract.permission) assertCan(actor, contract.permission);
      } else {
        actor = await resolveActor(req.headers);
        if (actor.kind === "anonymous") throw new UnauthenticatedError();
        if (contract.permission) assertCan(actor, contract.permission);
      }
      const url = new URL(req.url);
      const params = parse(contract.params, await ctx.params, "path");
      const query = parse(contract.query, queryObject(url), "query");
      const body = contract.body ? parse(contract.body, await readJson(req, contract.bodyLimit ?? DEFAULT_BODY_LIMIT), "body") : undefined;
      const result = await handler({ actor, ip: clientIp(req.headers), params, query, body, req } as HandlerInput<C>);
      if (result instanceof Response) return result;
      return await jsonResponse(req, result, contract.status ?? 200);
    } catch (err) {
      return errorResponse(err);
    }
  };
}
