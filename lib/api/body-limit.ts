// The largest body the server reads for a path, checked on the socket before any handler (or next-auth, or
// Next's own page handlers) sees the request. /api/v1 handlers enforce their own smaller limits as they stream.
import { contracts } from "./contracts";

export const PAGE_BODY_LIMIT = 64 * 1024;
const isUpload = (path: string) => path === "/uploads" || path.startsWith("/uploads/");
export const API_BODY_LIMIT = Math.max(...Object.values(contracts).filter((c) => !isUpload(c.path)).map((c) => ("bodyLimit" in c ? c.bodyLimit : 0)));
/** Checkpoint upload chunks (tus PATCH) are the only larger bodies. */
export const UPLOAD_BODY_LIMIT = Math.max(...Object.values(contracts).filter((c) => isUpload(c.path)).map((c) => ("bodyLimit" in c ? c.bodyLimit : 0)));

export function bodyLimitFor(pathname: string) {
  if (!pathname.startsWith("/api/v1/")) return PAGE_BODY_LIMIT;
  return isUpload(pathname.slice("/api/v1".length)) ? UPLOAD_BODY_LIMIT : API_BODY_LIMIT;
}

/** Whether the request may go on: a declared length within the limit, or (outside /api/v1, whose handlers count
 * as they read) a declared length at all when there is a body. */
export function checkBody(pathname: string, headers: { "content-length"?: string; "transfer-encoding"?: string }): { status: 411 | 413; limit: number } | null {
  const limit = bodyLimitFor(pathname);
  const declared = headers["content-length"];
  if (declared !== undefined) return Number(declared) > limit ? { status: 413, limit } : null;
  if (headers["transfer-encoding"] && limit === PAGE_BODY_LIMIT) return { status: 411, limit };
  return null;
}
