// The e2e server's own PostgreSQL (embedded, in its data folder), for the few facts a test can't make through the
// API, such as failed sign-ins from many addresses.
import { readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";

export function databaseUrl() {
  const dataDir = process.env.HOUNSFIELD_DATA_DIR!;
  const pid = readFileSync(path.join(dataDir, "postgres", "postmaster.pid"), "utf8").split("\n");
  const password = readFileSync(path.join(dataDir, "postgres-password"), "utf8").trim();
  return `postgresql://hounsfield:${password}@127.0.0.1:${pid[3]}/hounsfield`;
}

export async function withDatabase<T>(fn: (c: pg.Client) => Promise<T>) {
  const c = new pg.Client({ connectionString: databaseUrl() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}
