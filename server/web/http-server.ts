// The dashboard's HTTP server: Next's request handler behind a Node server we own, so that before Next or
// next-auth see a request its client address is the socket's (not a header the client chose), its Host is one
// of ours (DNS rebinding), its body is within bounds, and its response carries the security headers with a
// fresh script nonce.
import { randomBytes } from "node:crypto";
import http from "node:http";
import next from "next";
import { env, oidcConfig, publicUrl } from "../../lib/env";
import { checkBody } from "../../lib/api/body-limit";
import { INTERNAL, writeProblem } from "../../lib/api/problem";
import { hostAllowed } from "../../lib/http/allowed-host";
import { lastHop } from "../../lib/http/client-ip";
import { securityHeaders } from "../../lib/http/security-headers";
import { HUB_PATH, loadApiRoutes, serveApi } from "./api-dispatch";
import { PROJECT_ROOT } from "../build";

const FORWARDED = ["x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "x-real-ip", "forwarded"];

/** Refused before any handler: the connection is closed too (its body, if any, is never read). */
const refuse = (res: http.ServerResponse, status: number, title: string, detail: string) => writeProblem(res, status, title, detail, { connection: "close" });

export async function serve(port: number, hostname: string | undefined) {
  const app = next({ dev: false, dir: PROJECT_ROOT, port, hostname: hostname ?? "localhost" });
  await app.prepare();
  const handle = app.getRequestHandler();
  const apiRoutes = await loadApiRoutes();
  const trustProxy = env().TRUST_PROXY;
  const https = publicUrl().startsWith("https://");
  const sso = oidcConfig();
  const formActions = sso ? [new URL(sso.issuer).origin] : [];
  const server = http.createServer((req, res) => {
    if (!trustProxy) {
      for (const h of FORWARDED) delete req.headers[h];
      req.headers["x-forwarded-for"] = req.socket.remoteAddress ?? "unknown";
    }
    // Behind a trusted proxy the Host people used is in X-Forwarded-Host, the rightmost entry being the proxy's
    // own (earlier ones are whatever the client sent).
    const host = (trustProxy && lastHop(req.headers["x-forwarded-host"] as string | undefined)) || req.headers.host;
    if (!hostAllowed(host)) {
      return refuse(res, 421, "Misdirected request", `This server does not answer for host "${String(host).slice(0, 100)}". Set NEXTAUTH_URL to the address people use, or list it in ALLOWED_HOSTS.`);
    }
    const pathname = (req.url ?? "/").split("?")[0];
    const body = checkBody(pathname, req.headers);
    if (body?.status === 413) return refuse(res, 413, "Payload too large", `At most ${body.limit} bytes here`);
    if (body?.status === 411) return refuse(res, 411, "Length required", "Send a Content-Length with the body");
    const nonce = randomBytes(16).toString("base64");
    const headers = securityHeaders({ nonce, https, formActions });
    // Next reads the nonce from the request's policy header and puts it on the scripts it renders.
    req.headers["content-security-policy"] = headers["Content-Security-Policy"];
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    if (pathname.startsWith("/api/v1/") || HUB_PATH.test(pathname)) {
      serveApi(apiRoutes, req, res, `http://${host ?? "localhost"}`).catch((e) => {
        console.error("request failed", e);
        if (!res.headersSent) refuse(res, INTERNAL.status, INTERNAL.title, INTERNAL.detail);
        else res.destroy();
      });
      return;
    }
    void handle(req, res);
  });
  server.headersTimeout = 20_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, resolve);
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
