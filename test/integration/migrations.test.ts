import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import { listMigrations, migrate } from "../../lib/db/migrate";
import { cloneTemplate } from "../support/template-db";

describe("migrations", () => {
  it("records every migration in Prisma's history table and re-running applies nothing", async () => {
    const url = await cloneTemplate(inject("clusterUrl"), `mig_${Date.now()}`);
    expect(await migrate(url)).toEqual([]);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const rows = await c.query(`SELECT migration_name, checksum FROM "_prisma_migrations" ORDER BY migration_name`);
    await c.end();
    const files = await listMigrations();
    expect(rows.rows.map((r) => r.migration_name)).toEqual(files.map((f) => f.name));
    expect(rows.rows.map((r) => r.checksum)).toEqual(files.map((f) => f.checksum));
  });

  it("creates the whole domain model on an empty database", async () => {
    const c = new pg.Client({ connectionString: inject("clusterUrl") });
    await c.connect();
    const t = await c.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`);
    await c.end();
    const tables = t.rows.map((r) => r.table_name);
    for (const name of ["User", "ApiToken", "AuditEvent", "Dataset", "DatasetVersion", "Scan", "Run", "Lease", "Worker", "MetricPoint", "Checkpoint", "Release", "AccessRequest", "AccessGrant", "Download"]) {
      expect(tables).toContain(name);
    }
  });

  it("refuses to run when an applied migration was edited afterwards", async () => {
    const url = await cloneTemplate(inject("clusterUrl"), `mig_edit_${Date.now()}`);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`UPDATE "_prisma_migrations" SET checksum = 'x'`);
    await c.end();
    await expect(migrate(url)).rejects.toThrow(/was changed after it was applied/);
  });

  it("rolls a failing migration back completely", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "mig-"));
    mkdirSync(path.join(dir, "001_bad"));
    writeFileSync(path.join(dir, "001_bad", "migration.sql"), "CREATE TABLE half_done (id int); SELECT * FROM no_such_table;");
    const url = await cloneTemplate(inject("clusterUrl"), `mig_bad_${Date.now()}`);
    await expect(migrate(url, () => {}, dir)).rejects.toThrow(/001_bad failed: relation "no_such_table" does not exist/);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const half = await c.query(`SELECT to_regclass('public.half_done') AS t`);
    const recorded = await c.query(`SELECT 1 FROM "_prisma_migrations" WHERE migration_name = '001_bad'`);
    await c.end();
    expect(half.rows[0].t).toBeNull();
    expect(recorded.rowCount).toBe(0);
  });
});
