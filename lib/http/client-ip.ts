// The server overwrites x-forwarded-for with the socket address unless TRUST_PROXY is set. Behind a trusted
// proxy the rightmost entry is the one that proxy added (earlier entries are whatever the client sent).
export function clientIp(headers: Headers): string | null {
  return lastHop(headers.get("x-forwarded-for"));
}

/** The rightmost entry of a comma-separated forwarding header: the one our own proxy added. */
export function lastHop(value: string | null | undefined): string | null {
  const hops = (value ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  return hops.length ? hops[hops.length - 1] : null;
}
