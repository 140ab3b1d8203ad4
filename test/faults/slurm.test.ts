// The Slurm executor against a real single-node Slurm (slurm-wlm + munge, started here): the agent submits each
// run as an sbatch job that srun's the trainer, follows it with squeue / the job-completion record, ships its
// output from the run directory, and cancels it with scancel.
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { slurmScript } from "../../workers/agent/executions";
import { launchLine } from "../../workers/agent/executors";
import { startSlurm, type Slurm } from "../support/slurm";
import { faultServer, until } from "./support/harness";

let slurm: Slurm;
beforeAll(async () => {
  slurm = await startSlurm();
}, 120_000);
afterAll(async () => {
  await slurm?.stop();
});
const fault = faultServer({ HEARTBEAT_SECONDS: "1" });

const HYPER = { steps: 30, checkpointEvery: 10, logEvery: 1, batchSize: 4, learningRate: 1e-3, warmupSteps: 5 };

describe("Slurm executor", () => {
  it("a run becomes an sbatch job that trains to SUCCEEDED; its output and metrics arrive; the job id is on record", async () => {
    const agent = await fault.h.startSlurmAgent("cluster", slurm.env);
    const id = await fault.h.newRun("on slurm", HYPER, { executor: "SLURM" });
    await fault.h.finished(id, agent.output);
    expect((await fault.h.loss(id)).rawPoints).toBe(30);
    const logs = (await fault.h.api<{ lines: { text: string }[] }>("GET", `/runs/${id}/logs`)).body.lines.map((l) => l.text).join("");
    const job = /submitted as Slurm job (\d+)/.exec(logs)?.[1];
    expect(job).toBeTruthy();
    // Slurm itself saw it through: the completion record says so.
    const record = execFileSync("sacct", ["-c", "-j", job!, "-n", "-P", "-o", "JobName,State,ExitCode"], { env: { ...process.env, ...slurm.env } }).toString();
    expect(record).toMatch(new RegExp(`hounsfield-${id}\\|COMPLETED\\|0:0`));
    agent.child.kill("SIGTERM");
    await until("the agent to stop", async () => agent.child.exitCode !== null, 30_000);
  }, 240_000);

  it("cancelling the run scancels its job", async () => {
    const agent = await fault.h.startSlurmAgent("cluster-2", slurm.env);
    const id = await fault.h.newRun("cancelled on slurm", { ...HYPER, steps: 5000 }, { executor: "SLURM" });
    const job = await until("the job to start", async () => {
      const logs = (await fault.h.api<{ lines: { text: string }[] }>("GET", `/runs/${id}/logs?q=Slurm`)).body.lines.map((l) => l.text).join("");
      return /submitted as Slurm job (\d+)/.exec(logs)?.[1];
    }, 120_000);
    const env = { ...process.env, ...slurm.env };
    await until("the job RUNNING", async () => execFileSync("squeue", ["-h", "-t", "all", "-j", job, "-o", "%T"], { env }).toString().trim() === "RUNNING", 60_000);
    expect((await fault.h.api("POST", `/runs/${id}/cancel`)).status).toBe(200);
    await until("the job cancelled", async () => execFileSync("squeue", ["-h", "-t", "all", "-j", job, "-o", "%T"], { env }).toString().trim() === "CANCELLED", 60_000);
    expect((await fault.h.getRun(id)).status).toBe("CANCELLED");
    agent.child.kill("SIGTERM");
  }, 240_000);

  it("a multi-GPU run's batch script spans nodes with srun torchrun, one process per GPU (the path a GPU cluster takes)", () => {
    const runDir = "/shared/runs/r1";
    const launch = launchLine("local", { python: "/opt/venv/bin/python", runDir, resume: true, gpuIndices: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] });
    const script = slurmScript({ runId: "r1", runDir, launch, env: { HOUNSFIELD_RUN_DIR: runDir }, gpus: 16, slurm: { gpusPerNode: 8, partition: "gpu" } });
    expect(script).toContain("#SBATCH --nodes=2");
    expect(script).toContain("#SBATCH --gpus-per-node=8");
    expect(script).toContain("#SBATCH --partition=gpu");
    expect(script).toMatch(/srun --ntasks-per-node=1 '\/opt\/venv\/bin\/python' -m torch.distributed.run --nnodes="\$SLURM_JOB_NUM_NODES" --nproc_per_node=8 .*'-m' 'hounsfield_trainer' 'train' .*'--resume'/);
    // Debian's CPU-only torch here can't run NCCL across nodes; the script is checked by bash, and the CPU job
    // above runs the same template end to end.
    execFileSync("bash", ["-n"], { input: script });
  });
});
