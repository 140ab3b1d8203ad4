import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, inject } from "vitest";
import { disconnectDb } from "../../lib/db/client";
import { setEnv } from "../../lib/env";
import { cloneTemplate } from "../support/template-db";

const name = `test_${randomBytes(6).toString("hex")}`;
// Each test file its own database and its own data folder (blobs: checkpoints, previews, release files).
const dataDir = mkdtempSync(path.join(os.tmpdir(), "hounsfield-it-data-"));
setEnv({ DATABASE_URL: await cloneTemplate(inject("clusterUrl"), name), NEXTAUTH_SECRET: "test-secret-test-secret-test-secret", HOUNSFIELD_DATA_DIR: dataDir });

afterAll(async () => {
  await disconnectDb();
  rmSync(dataDir, { recursive: true, force: true });
});
