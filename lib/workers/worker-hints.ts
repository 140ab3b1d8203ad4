// What the Workers page advises about a machine, worded here from the facts its agent reported (versions and
// yes/no answers, validated by ZWorkerFacts). No text an agent sends is ever shown as advice or as a command.
import type { z } from "zod";
import { ZWorkerFacts } from "../schemas/worker";

export type WorkerFacts = z.output<typeof ZWorkerFacts>;
export type WorkerHint = { id: "python-missing" | "torch-missing" | "cuda-missing"; tone: "danger" | "warn"; text: string; command?: string };

const INSTALL_TORCH = {
  apt: "sudo apt-get install -y python3-torch python3-numpy",
  pip: "python3 -m pip install torch numpy",
};

/** The facts of a stored registration that still pass today's schema, field by field: anything else (free text
 * an older agent sent, a value that no longer validates) is dropped before it reaches a page. */
export function workerFacts(raw: unknown): WorkerFacts {
  const given = raw && typeof raw === "object" && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const shape = ZWorkerFacts.shape;
  const kept = Object.entries(shape).flatMap(([key, schema]) => {
    if (!(key in given)) return [];
    const r = (schema as z.ZodType).safeParse(given[key]);
    return r.success ? [[key, r.data] as const] : [];
  });
  return Object.fromEntries(kept) as WorkerFacts;
}

export function workerHints(facts: WorkerFacts, gpuCount: number): WorkerHint[] {
  if (facts.python === null) {
    return [{ id: "python-missing", tone: "danger", text: "The worker's Python does not start, so its runs will fail. Install Python 3, or start the agent with --python naming one." }];
  }
  if (facts.torch === null) {
    return [{ id: "torch-missing", tone: "danger", text: "PyTorch is not installed for this worker's Python, so its runs will fail. Install it with:", command: facts.apt ? INSTALL_TORCH.apt : INSTALL_TORCH.pip }];
  }
  if (gpuCount > 0 && facts.torch && facts.cuda === false) {
    return [{ id: "cuda-missing", tone: "warn", text: "This worker has GPUs, but its PyTorch build cannot use CUDA: runs that ask for GPUs will fail. Install a CUDA build of PyTorch for this machine's driver." }];
  }
  return [];
}
