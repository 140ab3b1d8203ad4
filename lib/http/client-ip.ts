// The server overwrites x-forwarded-for with the socket address unless TRUST_PROXY is set, so a client
// cannot choose its own IP for rate limits and the audit log.
export function clientIp(headers: Headers): string | null {
  const fwd = headers.get("x-forwarded-for");
  return fwd ? fwd.split(",")[0].trim() : null;
}
