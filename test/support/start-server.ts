// Starts the real thing — `hounsfield start` on a fresh data folder (embedded PostgreSQL, migrations, seed,
// built app) — and makes the first admin through the one-time setup link it prints.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "../../lib/db/embedded";

function waitForReady(child: ChildProcess, timeoutMs: number, verbose: boolean, ready: RegExp) {
  return new Promise<string>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`server not ready after ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (verbose) process.stdout.write(d);
      if (ready.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
}

export type StartedServer = {
  baseUrl: string;
  dataDir: string;
  adminEmail: string;
  adminPassword: string;
  process: ChildProcess;
  /** Everything the server printed so far. */
  output: () => string;
  stop: () => Promise<void>;
  /** Stops the process (SIGTERM) and keeps its data folder, for a restart with `reuse`. */
  halt: () => Promise<void>;
};

/** `withAdmin: false`: the database has an admin already (no setup link is printed, none is used). `reuse`: start
 * again on a halted server's data folder and port. */
export async function startServer(extraEnv: Record<string, string> = {}, opts: { verbose?: boolean; withAdmin?: boolean; reuse?: StartedServer } = {}): Promise<StartedServer> {
  const dataDir = opts.reuse?.dataDir ?? mkdtempSync(path.join(os.tmpdir(), "hounsfield-server-"));
  const port = opts.reuse ? Number(new URL(opts.reuse.baseUrl).port) : await freePort();
  const baseUrl = `http://localhost:${port}`;
  // No local worker unless a test asks for one: it would claim the runs other tests expect to stay queued.
  const env: NodeJS.ProcessEnv = { ...process.env, HOUNSFIELD_DATA_DIR: dataDir, PORT: String(port), NEXTAUTH_URL: baseUrl, LOCAL_AGENT: "false", ...extraEnv };
  if (!extraEnv.DATABASE_URL) delete env.DATABASE_URL;
  const server = spawn(process.execPath, ["bin/hounsfield.mjs", "start"], { env, stdio: ["ignore", "pipe", "pipe"] });
  let printed = "";
  server.stdout!.on("data", (d) => (printed += d));
  server.stderr!.on("data", (d) => (printed += d));
  const withAdmin = opts.reuse ? false : (opts.withAdmin ?? true);
  const log = await waitForReady(server, 240_000, opts.verbose ?? false, withAdmin ? /ready on http[\s\S]*--password-stdin/ : /ready on http/);
  const adminEmail = "root@example.org";
  const adminPassword = "root password 123";
  const halt = async () => {
    if (server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((r) => server.once("exit", r));
      server.kill("SIGTERM");
      await exited;
    }
  };
  const stop = async () => {
    await halt();
    rmSync(dataDir, { recursive: true, force: true });
  };
  if (!withAdmin) return { baseUrl, dataDir, adminEmail, adminPassword, process: server, output: () => printed, stop, halt };
  // No default password: the first start prints a one-time link, and that link is how the admin is made.
  const token = /setup\?token=(\S+)/.exec(log)?.[1];
  if (!token) throw new Error(`no setup link printed:\n${log}`);
  const setup = await fetch(`${baseUrl}/api/v1/setup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token, email: adminEmail, name: "Root", password: adminPassword }),
  });
  if (setup.status !== 201) throw new Error(`setup link refused: ${setup.status} ${await setup.text()}`);
  return {
    baseUrl,
    dataDir,
    adminEmail,
    adminPassword,
    process: server,
    output: () => printed,
    stop,
    halt,
  };
}
