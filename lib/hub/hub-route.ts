// The wrapper of the Hugging Face Hub-compatible routes (outside /api/v1, where the client looks). Same actor
// resolution and zod validation as lib/api/route.ts; errors stay problem+json but also carry what the client reads:
// an `error` member, the X-Error-Message header (a HEAD answer has no body, so the header is all a user sees) and
// an X-HF-Warning with the same reason.
import { z } from "zod";
import { UnauthenticatedError, type Actor } from "../auth/policy";
import { resolveActor } from "../auth/resolve-actor";
import { errorResponse } from "../api/problem";
import { DomainError, zodFieldErrors } from "../errors";
import { clientIp } from "../http/client-ip";

export type HubInput<P, Q> = { actor: Actor; ip: string | null; params: P; query: Q; req: Request; url: URL };

const ascii = (s: string) => s.replace(/[^\x20-\x7e]/g, "?").slice(0, 500);

async function hubError(err: unknown): Promise<Response> {
  // The message the client knows for a bad token; our reason goes in the body.
  const invalidToken = err instanceof UnauthenticatedError;
  const base = errorResponse(err);
  const body = (await base.json()) as { title: string; detail?: string };
  const message = body.detail ?? body.title;
  const headers = new Headers(base.headers);
  headers.set("x-error-message", invalidToken ? "Invalid credentials in Authorization header" : ascii(message));
  // The `hf` command line replaces a gated or not-found error by its own fixed sentence, but prints the server's
  // warnings: our reason (what to do next) reaches the user that way.
  headers.set("x-hf-warning", `hounsfield; ${ascii(message)}`);
  return new Response(JSON.stringify({ ...body, error: message }), { status: base.status, headers });
}

export function hubRoute<P extends z.ZodType, Q extends z.ZodType>(schemas: { params: P; query?: Q }, handler: (input: HubInput<z.output<P>, z.output<Q>>) => Promise<Response>) {
  return async (req: Request, ctx: { params: Promise<Record<string, string | string[]>> }) => {
    try {
      const actor = await resolveActor(req.headers);
      const url = new URL(req.url);
      const p = schemas.params.safeParse(await ctx.params);
      if (!p.success) throw new DomainError("Invalid path", 400, "Invalid request", zodFieldErrors(p.error, "path"));
      const q = (schemas.query ?? z.object({})).safeParse(Object.fromEntries(url.searchParams));
      if (!q.success) throw new DomainError("Invalid query", 400, "Invalid request", zodFieldErrors(q.error, "query"));
      return await handler({ actor, ip: clientIp(req.headers), params: p.data, query: q.data as z.output<Q>, req, url });
    } catch (err) {
      return hubError(err);
    }
  };
}

const segment = (max: number) => z.string().min(1).max(max).regex(/^[^\u0000-\u001f\u007f]*$/, "no control characters");
export const ZRepoParams = z.object({ namespace: segment(96), repo: segment(96) });
export const ZRevision = segment(256);
/** A catch-all path (Next gives its segments as a list) as one name: never a filesystem path, only compared with a
 * release's file names. */
export const ZRepoPath = z.union([z.array(z.string()), z.string()]).transform((v) => (Array.isArray(v) ? v.join("/") : v)).pipe(segment(1000));
