// The dashboard's HTTP server: Next's request handler behind a Node server we own, so the client address
// is the socket's (not a header the client chose) and shutdown stops the database too.
import http from "node:http";
import next from "next";
import { env } from "../lib/env";
import { PROJECT_ROOT } from "./build";

const FORWARDED = ["x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "x-real-ip", "forwarded"];

export async function serve(port: number, hostname: string | undefined) {
  const app = next({ dev: false, dir: PROJECT_ROOT, port, hostname: hostname ?? "localhost" });
  await app.prepare();
  const handle = app.getRequestHandler();
  const trustProxy = env().TRUST_PROXY;
  const server = http.createServer((req, res) => {
    if (!trustProxy) {
      for (const h of FORWARDED) delete req.headers[h];
      req.headers["x-forwarded-for"] = req.socket.remoteAddress ?? "unknown";
    }
    void handle(req, res);
  });
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
