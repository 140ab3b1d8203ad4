// The Hub-compatible routes' handlers (the route files under app/api/models and app/[namespace] only export them).
import { z } from "zod";
import { releaseFileResponse } from "../api/release-file-response";
import { env, publicUrl } from "../env";
import { requestedRange } from "../http/byte-range";
import { hubModelInfo, hubResolve, hubTree, TREE_PAGE } from "../services/releases/hub-repos";
import { hubRoute, ZRepoParams, ZRepoPath, ZRevision } from "./hub-route";

const json = (value: unknown, headers: Record<string, string> = {}) => Response.json(value, { headers: { "cache-control": "private, no-store", ...headers } });

export const modelInfo = hubRoute({ params: ZRepoParams.extend({ revision: ZRevision.optional() }) }, async ({ actor, params }) => json(await hubModelInfo(actor, params.namespace, params.repo, params.revision)));

const ZTreeQuery = z.object({ cursor: z.coerce.number().int().min(0).max(1e6).default(0), limit: z.coerce.number().int().min(1).max(TREE_PAGE).default(TREE_PAGE) });

/** Where the client should ask for the next page: this server as people reach it (https behind a proxy). */
function selfUrl(url: URL) {
  const pub = new URL(publicUrl());
  return pub.host === url.host ? new URL(url.pathname + url.search, pub.origin) : new URL(url);
}

export const tree = hubRoute({ params: ZRepoParams.extend({ revision: ZRevision, path: ZRepoPath.optional() }), query: ZTreeQuery }, async ({ actor, params, query, url }) => {
  const page = await hubTree(actor, params.namespace, params.repo, params.revision, params.path ?? "", query);
  const headers: Record<string, string> = { "x-repo-commit": page.commit };
  if (page.next !== null) {
    const next = selfUrl(url);
    next.searchParams.set("cursor", String(page.next));
    next.searchParams.set("limit", String(query.limit));
    headers.link = `<${next.href}>; rel="next"`;
  }
  return json(page.entries, headers);
});

const resolveParams = ZRepoParams.extend({ revision: ZRevision, file: ZRepoPath });

/** A file of a revision. HEAD is what the client asks first (commit, ETag, size); only a GET is a download. */
const resolve = (head: boolean) =>
  hubRoute({ params: resolveParams }, async ({ actor, ip, params, req }) => {
    const range = head ? null : requestedRange(req.headers);
    const f = await hubResolve({ actor, ip }, params.namespace, params.repo, params.revision, params.file, range, { head, offload: !head && env().DOWNLOAD_OFFLOAD === "x-accel" });
    const res = releaseFileResponse(f, { ranged: !!range, filename: params.file, headers: { "x-repo-commit": f.commit, "x-linked-etag": `"${f.sha256}"`, "x-linked-size": String(f.size) } });
    // HEAD answers the whole file's length, whatever a GET would send.
    if (head) res.headers.set("content-length", String(f.size));
    return res;
  });

export const resolveGet = resolve(false);
export const resolveHead = resolve(true);
