// Response headers every page and API answer carries. Scripts run only with this response's nonce (Next puts it
// on its own script tags when the request carries the policy); 'strict-dynamic' lets those load the app's
// chunks. Styles allow inline attributes: the charts draw with them, and style injection can't run code.
export function contentSecurityPolicy(nonce: string, opts: { formActions?: string[] } = {}) {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    `form-action 'self'${opts.formActions?.length ? ` ${opts.formActions.join(" ")}` : ""}`,
    "frame-ancestors 'none'",
  ].join("; ");
}

export function securityHeaders(opts: { nonce: string; https: boolean; formActions?: string[] }): Record<string, string> {
  return {
    "Content-Security-Policy": contentSecurityPolicy(opts.nonce, opts),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    ...(opts.https ? { "Strict-Transport-Security": "max-age=31536000" } : {}),
  };
}
