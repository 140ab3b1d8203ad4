// A started trainer, whatever runs it: a child process on this machine, or a Slurm job the agent submitted from
// a login node. Both end with an exit status and can be asked to stop.
import { execFile, spawn } from "node:child_process";
import { closeSync, openSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { childEnvironment } from "./child-env";
import type { Launch } from "./executors";

const run = promisify(execFile);

export type Execution = {
  /** The exit status (null: killed by a signal). */
  exited: Promise<number | null>;
  /** Asks it to stop (SIGTERM, scancel); `kill` when it does not. */
  terminate(): void;
  kill(): void;
  /** What the run's timeline says about it, e.g. "Slurm job 42". */
  label: string;
};

export function startLocal(launch: Launch, runDir: string, env: NodeJS.ProcessEnv): Execution {
  const out = openSync(path.join(runDir, "stdout.log"), "a");
  const err = openSync(path.join(runDir, "stderr.log"), "a");
  let child;
  try {
    child = spawn(launch.command, launch.args, { cwd: runDir, env: { ...env, ...launch.env }, stdio: ["ignore", out, err] });
  } finally {
    closeSync(out);
    closeSync(err);
  }
  const exited = new Promise<number | null>((resolve) => {
    child.on("exit", (code) => resolve(code));
    child.on("error", (e) => {
      writeFileSync(path.join(runDir, "final.json"), JSON.stringify({ status: "failed", reason: `could not start ${launch.command}: ${e.message}` }));
      resolve(127);
    });
  });
  return {
    exited,
    terminate: () => child.exitCode === null && child.kill("SIGTERM"),
    kill: () => child.exitCode === null && child.kill("SIGKILL"),
    label: `process ${child.pid ?? "?"}`,
  };
}

export type SlurmOptions = { partition?: string; gpusPerNode: number; pollMs?: number };

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The batch script: Slurm writes the trainer's output into the run directory (on storage the login node shares
 * with the compute nodes), and srun starts it on every node: torchrun with one process per GPU, or one process
 * for a CPU run. */
export function slurmScript(o: { runId: string; runDir: string; launch: Launch; env: Record<string, string>; gpus: number; slurm: SlurmOptions }) {
  const perNode = Math.max(1, Math.min(o.gpus, o.slurm.gpusPerNode));
  const nodes = o.gpus ? Math.ceil(o.gpus / perNode) : 1;
  // The launch line is the local executor's trainer command; under Slurm it runs behind srun (and torchrun).
  const trainer = o.launch.args.slice(o.launch.args.indexOf("-m"));
  const python = o.launch.args[o.launch.args.indexOf("-m") - 1] ?? o.launch.command;
  const cmd = o.gpus
    ? `srun --ntasks-per-node=1 ${shellQuote(python)} -m torch.distributed.run --nnodes="$SLURM_JOB_NUM_NODES" --nproc_per_node=${perNode} ` +
      `--rdzv_backend=c10d --rdzv_id="$SLURM_JOB_ID" --rdzv_endpoint="$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n1):29500" ${trainer.map(shellQuote).join(" ")}`
    : `srun --ntasks=1 ${shellQuote(python)} ${trainer.map(shellQuote).join(" ")}`;
  return [
    "#!/bin/bash",
    `#SBATCH --job-name=hounsfield-${o.runId}`,
    `#SBATCH --chdir=${o.runDir}`,
    `#SBATCH --output=${path.join(o.runDir, "stdout.log")}`,
    `#SBATCH --error=${path.join(o.runDir, "stderr.log")}`,
    "#SBATCH --open-mode=append",
    `#SBATCH --nodes=${nodes}`,
    ...(o.gpus ? [`#SBATCH --gpus-per-node=${perNode}`, "#SBATCH --ntasks-per-node=1"] : ["#SBATCH --ntasks=1"]),
    ...(o.slurm.partition ? [`#SBATCH --partition=${o.slurm.partition}`] : []),
    "set -euo pipefail",
    ...Object.entries(o.env).map(([k, v]) => `export ${k}=${shellQuote(v)}`),
    cmd,
    "",
  ].join("\n");
}

const DONE = new Set(["COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "PREEMPTED", "BOOT_FAIL", "DEADLINE"]);

/** The job's state and exit status: squeue while Slurm remembers it, else the job-completion record (sacct -c). */
async function jobState(id: string): Promise<{ state: string; exit: number | null } | null> {
  const q = await run("squeue", ["-h", "-t", "all", "-j", id, "-o", "%T"]).then((r) => r.stdout.trim(), () => "");
  if (q && !DONE.has(q)) return { state: q, exit: null };
  const shown = await run("scontrol", ["show", "job", "-o", id]).then((r) => r.stdout, () => "");
  let m = /ExitCode=(\d+):(\d+)/.exec(shown);
  let state = /JobState=(\S+)/.exec(shown)?.[1] ?? q;
  if (!m) {
    const acct = await run("sacct", ["-c", "-j", id, "-n", "-P", "-o", "State,ExitCode"]).then((r) => r.stdout.trim().split("\n")[0] ?? "", () => "");
    const [s, code] = acct.split("|");
    state = s?.split(" ")[0] || state;
    m = /(\d+):(\d+)/.exec(code ?? "");
  }
  if (!state) return null;
  if (!DONE.has(state)) return { state, exit: null };
  const [code, signal] = m ? [Number(m[1]), Number(m[2])] : [1, 0];
  return { state, exit: signal ? null : state === "COMPLETED" ? code : code || 1 };
}

export async function startSlurm(o: { runId: string; runDir: string; launch: Launch; env: Record<string, string>; gpus: number; slurm: SlurmOptions }): Promise<Execution> {
  const script = path.join(o.runDir, "agent", "job.sbatch");
  writeFileSync(script, slurmScript(o), { mode: 0o700 });
  // sbatch hands its own environment to the job (--export=ALL): the agent's, less its token and secrets.
  const { stdout } = await run("sbatch", ["--parsable", script], { env: childEnvironment(process.env) });
  const id = stdout.trim().split(";")[0];
  if (!/^\d+$/.test(id)) throw new Error(`sbatch answered ${JSON.stringify(stdout.slice(0, 200))}`);
  const exited = (async () => {
    for (;;) {
      await new Promise((r) => setTimeout(r, o.slurm.pollMs ?? 2000));
      const s = await jobState(id);
      if (s && s.exit !== null) return s.exit;
      if (s && DONE.has(s.state)) return null;
    }
  })();
  const cancel = () => void run("scancel", [id]).catch(() => undefined);
  return { exited, terminate: cancel, kill: cancel, label: `Slurm job ${id}` };
}
