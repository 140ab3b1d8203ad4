// Debian's own PostgreSQL 15 server (package postgresql-15) on a throwaway folder: what people mean by "an
// external database". initdb and pg_ctl run as the postgres user when we are root (PostgreSQL refuses root).
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { freePort } from "../../lib/db/embedded";

const BIN = "/usr/lib/postgresql/15/bin";

function asPostgres(cmd: string, args: string[]) {
  const root = process.getuid?.() === 0;
  return execFileSync(root ? "runuser" : cmd, root ? ["-u", "postgres", "--", cmd, ...args] : args, { stdio: "pipe", encoding: "utf8" });
}

export async function startDebianPostgres() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "hounsfield-pg15-"));
  chmodSync(dir, 0o777);
  const data = path.join(dir, "data");
  const pwfile = path.join(dir, "pw");
  const superPassword = "super-secret-for-tests";
  writeFileSync(pwfile, superPassword, { mode: 0o644 });
  if (process.getuid?.() === 0) execFileSync("chown", ["-R", "postgres:postgres", dir]);
  asPostgres(`${BIN}/initdb`, ["-D", data, "-U", "postgres", "--auth=scram-sha-256", `--pwfile=${pwfile}`, "-E", "UTF8", "--locale=C"]);
  const port = await freePort();
  asPostgres(`${BIN}/pg_ctl`, ["-D", data, "-l", path.join(dir, "log"), "-w", "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, "start"]);
  const admin = new pg.Client({ host: "127.0.0.1", port, user: "postgres", password: superPassword, database: "postgres" });
  await admin.connect();
  await admin.query(`CREATE ROLE hounsfield LOGIN PASSWORD 'app-password'`);
  await admin.query(`CREATE DATABASE hounsfield OWNER hounsfield`);
  const version = (await admin.query("SHOW server_version")).rows[0].server_version as string;
  await admin.end();
  return {
    url: `postgresql://hounsfield:app-password@127.0.0.1:${port}/hounsfield`,
    version,
    stop() {
      try {
        asPostgres(`${BIN}/pg_ctl`, ["-D", data, "-m", "fast", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
