// How a run's trainer is started on this machine. Each executor turns a run spec into one command line; the
// agent starts it in the run directory with the run's environment and GPU mask.
import { existsSync } from "node:fs";
import path from "node:path";

export type Executor = "local" | "torchrun" | "slurm";
export type Launch = { command: string; args: string[]; env: Record<string, string> };

/** The trainer package shipped next to the agent. */
export const TRAINER_DIR = path.resolve(import.meta.dirname, "..", "trainer");

/** `setpriv --pdeathsig` (util-linux) makes the trainer die with the agent: an agent killed with -9 leaves no
 * orphan writing into a run directory that another agent may resume. */
const SETPRIV = ["/usr/bin/setpriv", "/bin/setpriv"].find((p) => existsSync(p));

export function launchLine(executor: Executor, o: { python: string; runDir: string; resume: boolean; gpuIndices: number[] }): Launch {
  // --prune-uploaded-only: keep_checkpoints deletes only checkpoints the agent marked as on the server.
  const files = ["--config", path.join(o.runDir, "agent", "config.json"), "--manifest", path.join(o.runDir, "agent", "manifest.json"), "--run-dir", o.runDir, "--prune-uploaded-only", ...(o.resume ? ["--resume"] : [])];
  const env = {
    PYTHONPATH: [TRAINER_DIR, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter),
    // An empty mask hides every GPU from a CPU-only run; otherwise exactly the granted ones are visible.
    CUDA_VISIBLE_DEVICES: o.gpuIndices.join(","),
    HOUNSFIELD_RUN_DIR: o.runDir,
    PYTHONUNBUFFERED: "1",
  };
  let argv: string[];
  if (executor === "torchrun") {
    const procs = Math.max(1, o.gpuIndices.length);
    argv = [o.python, "-m", "torch.distributed.run", "--standalone", `--nproc_per_node=${procs}`, "-m", "hounsfield_trainer", "train", ...files];
  } else {
    argv = [o.python, "-m", "hounsfield_trainer", "train", ...files];
  }
  if (SETPRIV) argv = [SETPRIV, "--pdeathsig", "SIGTERM", "--", ...argv];
  return { command: argv[0], args: argv.slice(1), env };
}
