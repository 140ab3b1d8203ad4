// What the agent reports about its machine: CPUs, memory, GPUs (from nvidia-smi when it exists) and facts about the
// trainer's Python (its version, PyTorch's, CUDA).
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import os from "node:os";
import { promisify } from "node:util";

const run = promisify(execFile);

export type Gpu = { index: number; name: string; memoryBytes: number };
export type GpuSample = { gpu: number; util: number; memUsed: number; memTotal: number };

const MIB = 1024 * 1024;

async function nvidiaSmi(query: string): Promise<string[][] | null> {
  try {
    const { stdout } = await run("nvidia-smi", [`--query-gpu=${query}`, "--format=csv,noheader,nounits"], { timeout: 10_000 });
    return stdout.trim().split("\n").filter(Boolean).map((l) => l.split(",").map((c) => c.trim()));
  } catch {
    return null; // no NVIDIA driver here: a CPU worker
  }
}

export async function listGpus(only: number[] | "all"): Promise<Gpu[]> {
  const rows = (await nvidiaSmi("index,name,memory.total")) ?? [];
  const gpus = rows.map(([i, name, mem]) => ({ index: Number(i), name, memoryBytes: Number(mem) * MIB })).filter((g) => Number.isInteger(g.index));
  return only === "all" ? gpus : gpus.filter((g) => only.includes(g.index));
}

export async function sampleGpus(indices: number[]): Promise<GpuSample[]> {
  if (!indices.length) return [];
  const rows = (await nvidiaSmi("index,utilization.gpu,memory.used,memory.total")) ?? [];
  return rows
    .map(([i, util, used, total]) => ({ gpu: Number(i), util: Math.min(100, Math.max(0, Number(util) || 0)), memUsed: Number(used) * MIB || 0, memTotal: Number(total) * MIB || 0 }))
    .filter((s) => indices.includes(s.gpu));
}

const PROBE = `import json, sys
out = {"python": sys.version.split()[0], "torch": None, "cuda": None}
try:
    import torch
    out["torch"] = torch.__version__
    out["cuda"] = bool(torch.cuda.is_available())
except Exception:
    pass
print(json.dumps(out))`;

/** A version string as the server takes it (a fact, never text to show): anything else is reported as unknown. */
const version = (v: unknown) => (typeof v === "string" && /^[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}$/.test(v) ? v : "unknown");

/** Facts about the trainer's Python: its version (null when it does not start), PyTorch's (null when it can't be
 * imported) and whether PyTorch sees CUDA; and whether this machine installs packages with apt-get. The server
 * words any advice from these itself. */
export async function probePython(python: string) {
  const apt = existsSync("/usr/bin/apt-get");
  try {
    const { stdout } = await run(python, ["-c", PROBE], { timeout: 60_000 });
    const found = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as { python?: unknown; torch?: unknown; cuda?: unknown };
    return { python: version(found.python), torch: found.torch == null ? null : version(found.torch), cuda: typeof found.cuda === "boolean" ? found.cuda : null, apt };
  } catch {
    return { python: null, torch: null, cuda: null, apt };
  }
}

export function machineInfo() {
  return { cpus: os.cpus().length, memoryBytes: os.totalmem(), hostname: os.hostname() };
}
