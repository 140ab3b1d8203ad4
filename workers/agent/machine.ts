// What the agent reports about its machine: CPUs, memory, GPUs (from nvidia-smi when it exists) and whether the
// trainer's Python can import PyTorch.
import { execFile } from "node:child_process";
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

/** The trainer's interpreter and its PyTorch version (null when it can't import torch). */
export async function probePython(python: string) {
  try {
    const { stdout } = await run(python, ["-c", "import sys, torch; print(sys.version.split()[0], torch.__version__)"], { timeout: 60_000 });
    const [py, torch] = stdout.trim().split(" ");
    return { python: `${python} ${py}`, torch };
  } catch {
    return { python, torch: null, torchHint: "sudo apt-get install -y python3-torch python3-numpy (Debian), or pip install torch numpy" };
  }
}

export function machineInfo() {
  return { cpus: os.cpus().length, memoryBytes: os.totalmem(), hostname: os.hostname() };
}
