// An agent's work dir is its identity: the same instance id across restarts, and one live agent process at a time.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { instanceIdOf, lockWorkDir } from "../../workers/agent/work-dir";

const children: ReturnType<typeof spawn>[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
});

/** A process that looks like an agent to the lock (its command line says so), or like anything else. */
function processNamed(word: string) {
  const c = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)", word], { stdio: "ignore" });
  children.push(c);
  return c;
}

const holder = (dir: string, pid: number, hostname = os.hostname()) => writeFileSync(path.join(dir, "agent.lock"), JSON.stringify({ pid, hostname }));

describe("agent work dir", () => {
  it("keeps one instance id across restarts, and another work dir has another", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "agent-dir-"));
    const id = instanceIdOf(dir);
    expect(id).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(instanceIdOf(dir)).toBe(id);
    expect(readFileSync(path.join(dir, "agent-instance"), "utf8").trim()).toBe(id);
    expect(instanceIdOf(mkdtempSync(path.join(os.tmpdir(), "agent-dir-")))).not.toBe(id);
  });

  it("refuses a second agent while the first lives, and takes over the lock of one that died or of another program", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "agent-dir-"));
    expect(lockWorkDir(dir)).toEqual({ ok: true });
    const other = processNamed("agent");
    await new Promise((r) => setTimeout(r, 200));
    holder(dir, other.pid!);
    expect(lockWorkDir(dir)).toEqual({ ok: false, message: expect.stringMatching(new RegExp(`another agent \\(pid ${other.pid}\\) is running in the work dir`)) });
    other.kill("SIGKILL");
    await new Promise((r) => other.once("exit", r));
    expect(lockWorkDir(dir)).toEqual({ ok: true });
    // A pid now used by a program that is not an agent: the lock is stale.
    const unrelated = processNamed("something-else");
    await new Promise((r) => setTimeout(r, 200));
    holder(dir, unrelated.pid!);
    expect(lockWorkDir(dir)).toEqual({ ok: true });
    expect(JSON.parse(readFileSync(path.join(dir, "agent.lock"), "utf8")).pid).toBe(process.pid);
    // Held from another machine (a shared folder): this one can't tell whether it lives, so it says what to do.
    holder(dir, 4242, "gpu-node-9");
    expect(lockWorkDir(dir)).toEqual({ ok: false, message: expect.stringMatching(/used by an agent on host "gpu-node-9" \(pid 4242\).*delete .*agent\.lock/) });
  });
});
