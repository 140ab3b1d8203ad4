// The tus endpoints' handler: the caller is authenticated and must be able to report on runs or write datasets at
// all before the tus server sees the request; which run and lease, or which version, is checked by its hooks
// (lib/uploads/tus-server.ts).
import "server-only";
import { assertCan, can, UnauthenticatedError } from "../auth/policy";
import { resolveActor } from "../auth/resolve-actor";
import { tusServer } from "../uploads/tus-server";
import { UPLOAD_BODY_LIMIT } from "./body-limit";
import { errorResponse, problem } from "./problem";

export async function uploadRoute(req: Request): Promise<Response> {
  try {
    const actor = await resolveActor(req.headers);
    if (actor.kind === "anonymous") throw new UnauthenticatedError();
    // Checkpoints (run:report) and dataset files (dataset:write) share the endpoint; the hooks decide per upload.
    if (!can(actor, "dataset:write")) assertCan(actor, "run:report");
    const limited = withinLimit(req);
    const res = await tusServer().handleWeb(limited.req);
    if (await limited.exceeded()) {
      // tus stopped writing at the limit and answered as for a dropped connection: say why instead.
      return problem(413, "Payload too large", `At most ${UPLOAD_BODY_LIMIT} bytes per request: send the rest in another PATCH from the offset HEAD gives`, [{ field: "body", message: `at most ${UPLOAD_BODY_LIMIT} bytes` }]);
    }
    return asProblem(res);
  } catch (e) {
    return errorResponse(e);
  }
}

/** The request with its body counted as it is read: a body without a declared length (chunked) is stopped at the
 * per-request limit, as a declared one is refused before it is read (lib/api/body-limit.ts). `exceeded()` then
 * reads and drops what the client still sends, up to the limit once more, so a client that writes its whole body
 * before reading the answer hears the 413; past that the connection is closed. */
function withinLimit(req: Request) {
  if (!req.body) return { req, exceeded: async () => false };
  let seen = 0;
  let over = false;
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen <= UPLOAD_BODY_LIMIT) return controller.enqueue(chunk);
      over = true;
      controller.error(new Error("request body over the limit"));
    },
  });
  // The client's stream is not cancelled when the counter stops: the answer still has to reach it.
  const piped = req.body.pipeTo(counter.writable, { preventCancel: true }).catch(() => undefined);
  const exceeded = async () => {
    if (!over) return false;
    await piped;
    const rest = req.body!.getReader();
    for (let dropped = 0; dropped <= UPLOAD_BODY_LIMIT; ) {
      const chunk = await rest.read().catch(() => ({ done: true as const, value: undefined }));
      if (chunk.done) return true;
      dropped += chunk.value.byteLength;
    }
    await rest.cancel().catch(() => undefined);
    return true;
  };
  return { req: new Request(req, { body: counter.readable, duplex: "half" } as RequestInit), exceeded };
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
