// The tus endpoints' handler: the caller is authenticated and must be able to report on runs or write datasets at
// all before the tus server sees the request; which run and lease, or which version, is checked by its hooks
// (lib/uploads/tus-server.ts).
import "server-only";
import { assertCan, can, UnauthenticatedError } from "../auth/policy";
import { resolveActor } from "../auth/resolve-actor";
import { tusServer } from "../uploads/tus-server";
import { errorResponse } from "./problem";

export async function uploadRoute(req: Request): Promise<Response> {
  try {
    const actor = await resolveActor(req.headers);
    if (actor.kind === "anonymous") throw new UnauthenticatedError();
    // Checkpoints (run:report) and dataset files (dataset:write) share the endpoint; the hooks decide per upload.
    if (!can(actor, "dataset:write")) assertCan(actor, "run:report");
    return asProblem(await tusServer().handleWeb(req));
  } catch (e) {
    return errorResponse(e);
  }
}

const TITLES: Record<number, string> = { 400: "Invalid request", 403: "Forbidden", 404: "Not found", 409: "Conflict", 410: "Gone", 412: "Precondition failed", 413: "Too large", 415: "Unsupported media type", 460: "Checksum mismatch" };

/** tus answers its own protocol errors in plain text; every API error here is problem+json, so it is rewritten
 * (its tus headers kept), naming the header at fault where tus says which. */
async function asProblem(res: Response) {
  if (res.status < 400 || res.headers.get("content-type")?.includes("application/problem+json")) return res;
  const text = (await res.text()).trim();
  const headers = new Headers(res.headers);
  headers.set("content-type", "application/problem+json");
  headers.delete("content-length");
  // Our own hooks' refusals are problem+json already; tus only sent them as text.
  if (text.startsWith("{")) {
    try {
      const own = JSON.parse(text);
      if (own && typeof own.title === "string") return new Response(text, { status: res.status, headers });
    } catch {
      // not ours: rewritten below
    }
  }
  const detail = text.slice(0, 500) || `HTTP ${res.status}`;
  const header = /\b(Tus-Resumable|Upload-Length|Upload-Offset|Upload-Metadata|Upload-Defer-Length|Content-Type)\b/i.exec(detail)?.[1];
  const body = { type: "about:blank", title: TITLES[res.status] ?? "Upload refused", status: res.status, detail, ...(header ? { errors: [{ field: header.toLowerCase(), message: detail }] } : {}) };
  return new Response(JSON.stringify(body), { status: res.status, headers });
}
