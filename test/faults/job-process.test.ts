// The job process beside the web process: killed with SIGKILL, hounsfield start runs a new one and the work goes
// on; the web process killed with SIGKILL takes its job process with it (no orphan holding jobs); and while a
// hostile folder is indexed, the web process's memory does not grow with it.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { writeHostileFiles } from "../support/hostile-files";
import { startServer } from "../support/start-server";
import { faultServer, until } from "./support/harness";

const root = mkdtempSync(path.join(os.tmpdir(), "hounsfield-jobs-root-"));
for (const f of ["one", "two"]) {
  mkdirSync(path.join(root, f));
  cpSync(path.resolve(import.meta.dirname, "../fixtures/ct/example_ct_sm.nii.gz"), path.join(root, f, "scan.nii.gz"));
}
const fault = faultServer({ DATASET_ROOTS: root });
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The job processes whose parent is `pid` (the web process). */
function jobProcesses(pid: number) {
  return readdirSync("/proc").filter((p) => /^\d+$/.test(p)).map(Number).filter((p) => {
    try {
      const ppid = Number(readFileSync(`/proc/${p}/stat`, "utf8").split(") ")[1].split(" ")[1]);
      return ppid === pid && readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0").includes("jobs");
    } catch {
      return false;
    }
  });
}
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const rssMb = (pid: number) => (Number(readFileSync(`/proc/${pid}/statm`, "utf8").split(" ")[1]) * 4096) / 2 ** 20;

async function index(folder: string) {
  const d = (await fault.h.api<{ id: string }>("POST", "/datasets", { name: `jobs ${folder} ${Date.now()}`, license: "internal" })).body;
  const v = (await fault.h.api<{ id: string }>("POST", `/datasets/${d.id}/versions`, { version: "1" })).body;
  expect((await fault.h.api("POST", `/dataset-versions/${v.id}/folders`, { root, folder })).status).toBe(202);
  return until(`${folder} indexed`, async () => {
    const now = (await fault.h.api<{ scans: number; jobs: { status: string; failedFiles: number }[] }>("GET", `/dataset-versions/${v.id}`)).body;
    return now.jobs[0]?.status === "DONE" && now;
  }, 120_000);
}

it("a killed job process is started again and the work goes on", async () => {
  const web = fault.server.process.pid!;
  const [first] = await until("the job process", async () => jobProcesses(web).length === 1 && jobProcesses(web), 60_000);
  process.kill(first, "SIGKILL");
  const [second] = await until("a new job process", async () => {
    const now = jobProcesses(web);
    return now.length === 1 && now[0] !== first && now;
  }, 60_000);
  expect(second).not.toBe(first);
  expect(fault.server.output()).toMatch(/job process exited \(SIGKILL\); restarting/);
  expect((await index("one")).scans).toBe(1);
}, 180_000);

it("while a hostile folder is indexed the web process's memory stays where it was", async () => {
  await writeHostileFiles(path.join(root, "hostile"), { slices: 300, inflatedMb: 256 });
  const web = fault.server.process.pid!;
  const before = rssMb(web);
  let peak = before;
  const watch = setInterval(() => (peak = Math.max(peak, rssMb(web))), 50);
  try {
    const done = await index("hostile");
    expect(done.scans).toBe(1); // the series of tiny slices; every other file failed with its reason
    expect(done.jobs[0].failedFiles).toBeGreaterThanOrEqual(7);
  } finally {
    clearInterval(watch);
  }
  expect(peak - before).toBeLessThan(50);
}, 180_000);

it("the web process killed with SIGKILL takes its job process with it", async () => {
  const web = fault.server.process.pid!;
  const [jobs] = await until("the job process", async () => jobProcesses(web).length === 1 && jobProcesses(web), 60_000);
  fault.server.process.kill("SIGKILL");
  await new Promise((r) => fault.server.process.once("exit", r));
  await until("the job process to stop", async () => !alive(jobs), 30_000);
  // Started again on the same data, it indexes (its jobs were handed back, not left locked by an orphan).
  fault.server = await startServer({ DATASET_ROOTS: root }, { reuse: fault.server });
  expect((await index("two")).scans).toBe(1);
}, 240_000);
