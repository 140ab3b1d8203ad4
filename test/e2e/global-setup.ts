// Starts the real thing once for all journeys: `hounsfield start` on a fresh data folder (embedded
// PostgreSQL, migrations, seed, built app) with SSO pointed at a local OIDC issuer.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "../../lib/db/embedded";
import { startOidcIssuer } from "../support/oidc-issuer";
import { cli } from "./support/cli";

function waitForReady(child: ChildProcess, timeoutMs: number) {
  return new Promise<string>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`server not ready after ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (process.env.E2E_VERBOSE) process.stdout.write(d);
      if (/ready on http[\s\S]*--password-stdin/.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
}

export default async function globalSetup() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "hounsfield-e2e-"));
  const [port, oidcPort] = [await freePort(), await freePort()];
  const baseUrl = `http://localhost:${port}`;
  const oidc = await startOidcIssuer(oidcPort, `${baseUrl}/api/auth/callback/oidc`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOUNSFIELD_DATA_DIR: dataDir,
    PORT: String(port),
    NEXTAUTH_URL: baseUrl,
    OIDC_ISSUER: oidc.issuer,
    OIDC_CLIENT_ID: "hounsfield",
    OIDC_CLIENT_SECRET: "test-client-secret",
    OIDC_NAME: "Test SSO",
    // Every journey comes from 127.0.0.1; the per-IP limit is covered by the integration tests.
    LOGIN_MAX_FAILURES_PER_IP: "10000",
  };
  delete env.DATABASE_URL;
  const server = spawn(process.execPath, ["bin/hounsfield.mjs", "start"], { env, stdio: ["ignore", "pipe", "pipe"] });
  const startupLog = await waitForReady(server, 240_000);
  // No default password: the first start prints a one-time link, and that link is how the admin is made.
  const setupToken = /setup\?token=(\S+)/.exec(startupLog)?.[1];
  if (!setupToken) throw new Error(`no setup link printed:\n${startupLog}`);
  process.env.E2E_BASE_URL = baseUrl;
  process.env.HOUNSFIELD_DATA_DIR = dataDir;
  process.env.E2E_ADMIN_EMAIL = "root@example.org";
  process.env.E2E_ADMIN_PASSWORD = "root password 123";
  const setup = await fetch(`${baseUrl}/api/v1/setup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token: setupToken, email: process.env.E2E_ADMIN_EMAIL, name: "Root", password: process.env.E2E_ADMIN_PASSWORD }),
  });
  if (setup.status !== 201) throw new Error(`setup link refused: ${setup.status} ${await setup.text()}`);
  process.env.E2E_ADMIN_TOKEN = (await cli(["token", "create", "--email", process.env.E2E_ADMIN_EMAIL, "--scopes", "admin", "--name", "e2e"])).trim();
  return async () => {
    const exited = new Promise((r) => server.once("exit", r));
    server.kill("SIGTERM");
    await exited;
    await oidc.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
