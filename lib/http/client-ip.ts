// The server overwrites x-forwarded-for with the socket address unless TRUST_PROXY is set. Behind a trusted
// proxy the rightmost entry is the one that proxy added (earlier entries are whatever the client sent).
export function clientIp(headers: Headers): string | null {
  const fwd = headers.get("x-forwarded-for");
  if (!fwd) return null;
  const hops = fwd.split(",").map((s) => s.trim()).filter(Boolean);
  return hops.length ? hops[hops.length - 1] : null;
}
