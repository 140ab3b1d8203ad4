// A throwaway embedded PostgreSQL for a test run, with a migrated template database that each test file
// clones (CREATE DATABASE … TEMPLATE takes milliseconds), so files never share rows.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres } from "../../lib/db/embedded";
import { migrate } from "../../lib/db/migrate";

export const TEMPLATE = "hounsfield_template";

export async function startTestCluster() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "hounsfield-test-pg-"));
  const cluster = await startEmbeddedPostgres(dir, { database: TEMPLATE });
  await migrate(cluster.url);
  return {
    url: cluster.url,
    async stop() {
      await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function cloneTemplate(clusterUrl: string, name: string) {
  const admin = new pg.Client({ connectionString: clusterUrl.replace(/\/[^/]+$/, "/postgres") });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${TEMPLATE}"`);
  await admin.end();
  return clusterUrl.replace(/\/[^/]+$/, `/${name}`);
}
