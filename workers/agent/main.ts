// `hounsfield agent`: attach this machine to a Hounsfield server as a worker.
import { parseArgs } from "node:util";
import { runAgent, defaultWorkDir } from "./agent";
import type { Executor } from "./executors";

export const AGENT_HELP = `Usage: hounsfield agent --server URL --token TOKEN [options]

Attaches this machine to a Hounsfield server: registers it as a worker, sends a heartbeat every 10 s with GPU
utilization and memory, and runs queued runs that fit its free GPUs.

Options:
  --server URL          the dashboard's address, e.g. https://hounsfield.example.org (or HOUNSFIELD_URL)
  --token TOKEN         a worker token (scope "worker" only; Workers page or 'hounsfield token create
                        --scopes worker'), or HOUNSFIELD_AGENT_TOKEN; one agent per token: a second one
                        started with it is refused while the first runs
  --name NAME           the worker's name (default: the hostname)
  --gpus all|0,1        the GPUs to offer (default all; none found = a CPU worker)
  --labels k=v,...      labels runs can ask for
  --executor local|torchrun|slurm
                        local: one trainer process; torchrun: one process per granted GPU; slurm: each run is
                        an sbatch job (srun torchrun across its nodes) submitted from this login node (default local)
  --slurm-gpus N        slurm: the GPUs this worker may hand out to its jobs in all (default 0: CPU jobs)
  --slurm-gpus-per-node G
                        slurm: GPUs per node; a run of more GPUs spans several nodes (default 8)
  --slurm-partition P   slurm: the partition to submit to (default: the cluster's default)
  --work-dir DIR        run directories and this agent's identity: restarted on the same work dir it is the
                        same agent; one agent per work dir (default ~/.cache/hounsfield/agent)
  --max-runs N          runs at once, on disjoint GPUs (default 1)
  --min-free-mb M       a run whose work-dir disk has less free space is stopped and FAILED, saying so (default 1024)
  --python PATH         the trainer's Python (default HOUNSFIELD_PYTHON or /usr/bin/python3)
  -h, --help            this text

SIGTERM or Ctrl-C hands running runs back to the queue (PREEMPTED); they resume from their last checkpoint.
A run whose lease this agent cannot renew in time (the server out of reach) is stopped the same way, and what it
wrote is sent when the server answers again. Exit status 1: the server or the work dir refused this agent.`;

export async function agentMain(argv: string[]) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        server: { type: "string" },
        token: { type: "string" },
        name: { type: "string" },
        gpus: { type: "string", default: "all" },
        labels: { type: "string", default: "" },
        executor: { type: "string", default: "local" },
        "work-dir": { type: "string" },
        "max-runs": { type: "string", default: "1" },
        "min-free-mb": { type: "string", default: "1024" },
        python: { type: "string" },
        "slurm-gpus": { type: "string", default: "0" },
        "slurm-gpus-per-node": { type: "string", default: "8" },
        "slurm-partition": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${AGENT_HELP}`);
    process.exit(2);
  }
  if (values.help) return void console.log(AGENT_HELP);
  const server = values.server ?? process.env.HOUNSFIELD_URL;
  const token = values.token ?? process.env.HOUNSFIELD_AGENT_TOKEN;
  const problems: string[] = [];
  if (!server || !/^https?:\/\/[^\s]+$/.test(server)) problems.push("--server must be an http(s) URL");
  if (!token) problems.push("--token (or HOUNSFIELD_AGENT_TOKEN) is required");
  const gpus = values.gpus === "all" ? "all" : values.gpus.split(",").map((g) => Number(g.trim()));
  if (gpus !== "all" && gpus.some((g) => !Number.isInteger(g) || g < 0)) problems.push("--gpus takes all or a list of GPU indices, e.g. 0,1");
  const maxRuns = Number(values["max-runs"]);
  if (!Number.isInteger(maxRuns) || maxRuns < 1 || maxRuns > 64) problems.push("--max-runs must be 1 to 64");
  if (!["local", "torchrun", "slurm"].includes(values.executor)) problems.push(`--executor must be local, torchrun or slurm (not ${values.executor})`);
  const minFreeMb = Number(values["min-free-mb"]);
  if (!Number.isFinite(minFreeMb) || minFreeMb < 0) problems.push("--min-free-mb must be a number of megabytes");
  const slurmGpus = Number(values["slurm-gpus"]);
  const perNode = Number(values["slurm-gpus-per-node"]);
  if (!Number.isInteger(slurmGpus) || slurmGpus < 0 || slurmGpus > 1024) problems.push("--slurm-gpus must be 0 to 1024");
  if (!Number.isInteger(perNode) || perNode < 1 || perNode > 64) problems.push("--slurm-gpus-per-node must be 1 to 64");
  if (values["slurm-partition"] !== undefined && !/^[\w.-]{1,64}$/.test(values["slurm-partition"])) problems.push("--slurm-partition takes a partition name");
  const labels = values.labels.split(",").map((l) => l.trim()).filter(Boolean);
  if (labels.some((l) => !/^[\w.-]+=[\w.:/-]*$/.test(l))) problems.push("--labels takes key=value pairs separated by commas");
  if (problems.length) {
    console.error(`${problems.join("\n")}\n\n${AGENT_HELP}`);
    process.exit(2);
  }
  const stop = new AbortController();
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.on(sig, () => {
      if (stop.signal.aborted) process.exit(1);
      console.log(`[agent] ${sig}: handing runs back to the queue`);
      stop.abort();
    });
  }
  const code = await runAgent(
    {
      server: server!,
      token: token!,
      name: values.name,
      gpus,
      labels,
      executor: values.executor as Executor,
      workDir: values["work-dir"] ?? defaultWorkDir(),
      maxRuns,
      python: values.python ?? process.env.HOUNSFIELD_PYTHON ?? "/usr/bin/python3",
      minFreeMb,
      slurm: { gpus: slurmGpus, gpusPerNode: perNode, partition: values["slurm-partition"] },
    },
    stop.signal,
  );
  process.exit(code);
}
