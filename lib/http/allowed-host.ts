// DNS rebinding: a page on attacker.example re-resolves its own name to this server and then reads it with
// the browser's cookies for… attacker.example, so cookies don't help; the Host header is what gives it away.
// Accepted: the public URL's host, localhost, IP literals (no DNS to rebind) and names in ALLOWED_HOSTS
// (".example.org" allows subdomains too).
import { isIPv4, isIPv6 } from "node:net";
import { env, publicUrl } from "../env";

/** The host name of a Host header value, lower-cased, without port; null when it isn't one. */
export function hostName(host: string | null | undefined): string | null {
  if (!host) return null;
  const h = host.trim().toLowerCase();
  if (h.startsWith("[")) {
    const end = h.indexOf("]");
    return end > 0 && isIPv6(h.slice(1, end)) && /^(:\d{1,5})?$/.test(h.slice(end + 1)) ? h.slice(0, end + 1) : null;
  }
  const m = /^([a-z0-9.-]+)(:\d{1,5})?$/.exec(h);
  return m ? m[1] : null;
}

export function allowedHostNames(): string[] {
  const extra = env()
    .ALLOWED_HOSTS.split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  return [new URL(publicUrl()).hostname.toLowerCase(), "localhost", ...extra];
}

export function hostAllowed(host: string | null | undefined): boolean {
  const name = hostName(host);
  if (!name) return false;
  if (isIPv4(name) || name.startsWith("[")) return true;
  if (name === "localhost" || name.endsWith(".localhost")) return true;
  return allowedHostNames().some((a) => (a.startsWith(".") ? name.endsWith(a) || name === a.slice(1) : name === a));
}
