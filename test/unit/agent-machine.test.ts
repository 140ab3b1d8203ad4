// What the agent reads from nvidia-smi, against a stand-in that answers the agent's exact queries as nvidia-smi
// does (CSV, no header, no units). The machine here has no NVIDIA driver: without it the worker is a CPU worker.
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { listGpus, sampleGpus } from "../../workers/agent/machine";

const PATH = process.env.PATH;
afterEach(() => {
  process.env.PATH = PATH;
});

function fakeNvidiaSmi() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "nvsmi-"));
  const script = `#!/bin/sh
case "$1" in
  --query-gpu=index,name,memory.total) printf '0, NVIDIA H100 80GB HBM3, 81559\\n1, NVIDIA H100 80GB HBM3, 81559\\n' ;;
  --query-gpu=index,utilization.gpu,memory.used,memory.total) printf '0, 97, 61234, 81559\\n1, [N/A], 12, 81559\\n' ;;
  *) echo "unexpected query $*" >&2; exit 2 ;;
esac
[ "$2" = "--format=csv,noheader,nounits" ] || exit 3
`;
  writeFileSync(path.join(dir, "nvidia-smi"), script);
  chmodSync(path.join(dir, "nvidia-smi"), 0o755);
  process.env.PATH = `${dir}:${PATH}`;
}

describe("agent machine probe", () => {
  it("lists the GPUs nvidia-smi reports, or only those --gpus names", async () => {
    fakeNvidiaSmi();
    expect(await listGpus("all")).toEqual([
      { index: 0, name: "NVIDIA H100 80GB HBM3", memoryBytes: 81559 * 2 ** 20 },
      { index: 1, name: "NVIDIA H100 80GB HBM3", memoryBytes: 81559 * 2 ** 20 },
    ]);
    expect((await listGpus([1])).map((g) => g.index)).toEqual([1]);
  });

  it("samples utilization and memory per GPU; a value nvidia-smi can't read counts as 0, not NaN", async () => {
    fakeNvidiaSmi();
    expect(await sampleGpus([0, 1])).toEqual([
      { gpu: 0, util: 97, memUsed: 61234 * 2 ** 20, memTotal: 81559 * 2 ** 20 },
      { gpu: 1, util: 0, memUsed: 12 * 2 ** 20, memTotal: 81559 * 2 ** 20 },
    ]);
  });

  it("without nvidia-smi it is a CPU worker", async () => {
    process.env.PATH = "/nonexistent";
    expect(await listGpus("all")).toEqual([]);
    expect(await sampleGpus([0])).toEqual([]);
  });
});
