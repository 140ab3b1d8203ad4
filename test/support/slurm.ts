// A real single-node Slurm (Debian's slurm-wlm + munge) for the Slurm executor's tests: no systemd, no database,
// everything under one temporary folder, on ports of its own. Jobs run on this machine as root.
import { execFile, execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { freePort } from "../../lib/db/embedded";

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type Slurm = { env: Record<string, string>; base: string; stop: () => Promise<void> };

export async function startSlurm(): Promise<Slurm> {
  const base = mkdtempSync(path.join(os.tmpdir(), "hounsfield-slurm-"));
  for (const d of ["munge", "state", "spool", "log", "run"]) mkdirSync(path.join(base, d), { recursive: true });
  chmodSync(path.join(base, "munge"), 0o755);
  const socket = path.join(base, "munge", "munge.sock");
  execFileSync("mungekey", ["--create", `--keyfile=${path.join(base, "munge", "munge.key")}`]);
  execFileSync("munged", [
    `--key-file=${path.join(base, "munge", "munge.key")}`, `--socket=${socket}`, `--pid-file=${path.join(base, "munge", "munged.pid")}`,
    `--log-file=${path.join(base, "munge", "munged.log")}`, `--seed-file=${path.join(base, "munge", "munged.seed")}`, "--force",
  ]);
  const host = os.hostname().split(".")[0];
  const [ctld, slurmd] = [await freePort(), await freePort()];
  const cpus = os.cpus().length;
  const memMb = Math.floor(os.totalmem() / 2 ** 20) - 1024;
  const conf = path.join(base, "slurm.conf");
  writeFileSync(conf, [
    "ClusterName=hounsfield-test",
    `SlurmctldHost=${host}(127.0.0.1)`,
    "SlurmUser=root",
    `SlurmctldPort=${ctld}`,
    `SlurmdPort=${slurmd}`,
    `AuthInfo=socket=${socket}`,
    `StateSaveLocation=${path.join(base, "state")}`,
    `SlurmdSpoolDir=${path.join(base, "spool")}`,
    `SlurmctldPidFile=${path.join(base, "run", "slurmctld.pid")}`,
    `SlurmdPidFile=${path.join(base, "run", "slurmd.pid")}`,
    `SlurmctldLogFile=${path.join(base, "log", "slurmctld.log")}`,
    `SlurmdLogFile=${path.join(base, "log", "slurmd.log")}`,
    "ProctrackType=proctrack/linuxproc",
    "TaskPlugin=task/none",
    "AccountingStorageType=accounting_storage/none",
    "JobCompType=jobcomp/filetxt",
    `JobCompLoc=${path.join(base, "log", "jobcomp.txt")}`,
    "SelectType=select/cons_tres",
    "SelectTypeParameters=CR_Core_Memory",
    "MinJobAge=3600",
    "MailProg=/bin/true",
    "ReturnToService=2",
    `NodeName=${host} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${memMb} State=UNKNOWN`,
    `PartitionName=main Nodes=${host} Default=YES MaxTime=INFINITE State=UP`,
    "",
  ].join("\n"));
  const env = { SLURM_CONF: conf };
  const withEnv = { ...process.env, ...env };
  execFileSync("slurmctld", ["-f", conf], { env: withEnv });
  execFileSync("slurmd", ["-f", conf], { env: withEnv });
  // Ready when the node takes jobs.
  for (let i = 0; ; i++) {
    const state = await run("sinfo", ["-h", "-o", "%T"], { env: withEnv }).then((r) => r.stdout.trim(), () => "");
    if (state === "idle") break;
    if (i > 120) throw new Error(`Slurm did not come up (node ${state || "unknown"}):\n${readFileSync(path.join(base, "log", "slurmctld.log"), "utf8").slice(-2000)}`);
    await sleep(500);
  }
  const pid = (f: string) => Number(readFileSync(path.join(base, f), "utf8").trim());
  return {
    env,
    base,
    async stop() {
      // Cancel and wait for an empty queue first, or a slurmstepd is left behind.
      await run("scancel", ["--full", "-u", "root"], { env: withEnv }).catch(() => undefined);
      for (let i = 0; i < 60; i++) {
        const q = await run("squeue", ["-h"], { env: withEnv }).then((r) => r.stdout.trim(), () => "");
        if (!q) break;
        await sleep(500);
      }
      for (const f of ["run/slurmd.pid", "run/slurmctld.pid", "munge/munged.pid"]) {
        try {
          process.kill(pid(f), "SIGTERM");
        } catch {
          // already gone
        }
      }
      await sleep(500);
      rmSync(base, { recursive: true, force: true });
    },
  };
}
