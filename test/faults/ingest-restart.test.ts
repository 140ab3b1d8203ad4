// Ingestion survives its server: killed with SIGKILL halfway through a folder, the server is started again and
// the job resumes where it was, finishing with every file indexed once.
import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { startServer } from "../support/start-server";
import { faultServer, until } from "./support/harness";

const FILES = 40;
const root = mkdtempSync(path.join(os.tmpdir(), "hounsfield-ingest-root-"));
mkdirSync(path.join(root, "many"));
for (let i = 0; i < FILES; i++) cpSync(path.resolve(import.meta.dirname, "../fixtures/ct/example_ct.nii.gz"), path.join(root, "many", `scan-${String(i).padStart(3, "0")}.nii.gz`));
const ENV = { DATASET_ROOTS: root, INGEST_LOCK_SECONDS: "3" };
const fault = faultServer(ENV);
afterAll(() => rmSync(root, { recursive: true, force: true }));

type Version = { scans: number; jobs: { status: string; doneFiles: number; failedFiles: number; totalFiles: number }[] };

it("a server killed mid-ingestion resumes the job after its restart; each file is indexed once", async () => {
  const d = (await fault.h.api<{ id: string }>("POST", "/datasets", { name: "Many scans", license: "internal" })).body;
  const v = (await fault.h.api<{ id: string }>("POST", `/datasets/${d.id}/versions`, { version: "1" })).body;
  expect((await fault.h.api("POST", `/dataset-versions/${v.id}/folders`, { root, folder: "many" })).status).toBe(202);
  const get = async () => (await fault.h.api<Version>("GET", `/dataset-versions/${v.id}`)).body;
  const before = await until("some files indexed", async () => {
    const now = await get();
    return now.jobs[0]?.doneFiles >= 5 && now;
  }, 60_000);
  expect(before.jobs[0].doneFiles).toBeLessThan(FILES);
  fault.server.process.kill("SIGKILL");
  await new Promise((r) => fault.server.process.once("exit", r));
  fault.server = await startServer(ENV, { reuse: fault.server });
  const after = await until("the job to finish after the restart", async () => {
    const now = await get().catch(() => null);
    return now?.jobs[0]?.status === "DONE" && now;
  }, 120_000);
  expect(after.jobs).toHaveLength(1);
  expect(after.jobs[0]).toMatchObject({ totalFiles: FILES, doneFiles: FILES, failedFiles: 0 });
  expect(after.scans).toBe(FILES);
  const scans = (await fault.h.api<{ scans: { name: string }[] }>("GET", `/dataset-versions/${v.id}/scans?limit=500`)).body.scans;
  expect(new Set(scans.map((s) => s.name)).size).toBe(FILES);
}, 300_000);
