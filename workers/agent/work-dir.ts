// The agent's work dir is its identity: the instance id kept there tells the server that a restarted agent is the
// same agent (and another agent with the same worker token is not), and a lock file keeps a second agent process
// out of it while the first lives (two processes sharing one instance id would be merged by the server).
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const ID = /^[A-Za-z0-9_-]{8,64}$/;

/** The instance id of this work dir, made on first use. */
export function instanceIdOf(workDir: string) {
  const file = path.join(workDir, "agent-instance");
  try {
    const kept = readFileSync(file, "utf8").trim();
    if (ID.test(kept)) return kept;
  } catch {
    // first start in this work dir
  }
  try {
    writeFileSync(file, randomUUID(), { mode: 0o600, flag: "wx" });
  } catch {
    // another agent made it at the same moment: the lock below sorts out which one stays
  }
  return readFileSync(file, "utf8").trim();
}

type Holder = { pid: number; hostname: string };

/** Whether `pid` is a live agent on this machine (a pid reused by another program after a crash does not count). */
function agentAlive(pid: number) {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    return /\bagent\b/.test(readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " "));
  } catch {
    return true; // no /proc here: trust the signal probe
  }
}

/** Takes the work dir for this process, or says which agent holds it. The lock goes when this process exits; one
 * left by an agent that was killed is taken over. */
export function lockWorkDir(workDir: string): { ok: true } | { ok: false; message: string } {
  mkdirSync(workDir, { recursive: true });
  const file = path.join(workDir, "agent.lock");
  const me: Holder = { pid: process.pid, hostname: os.hostname() };
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(me), { mode: 0o600, flag: "wx" });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 2) throw e;
    }
    let holder: Holder | null = null;
    try {
      holder = JSON.parse(readFileSync(file, "utf8")) as Holder;
    } catch {
      // torn or just removed: stale
    }
    if (holder && holder.hostname !== me.hostname) {
      return { ok: false, message: `the work dir ${workDir} is used by an agent on host ${JSON.stringify(holder.hostname)} (pid ${holder.pid}); give this agent its own --work-dir, or delete ${file} if that agent no longer runs` };
    }
    // Our own pid in it: left by an earlier life of this process's pid (a container's pid 1), so stale.
    if (holder && holder.pid !== me.pid && agentAlive(holder.pid)) return { ok: false, message: `another agent (pid ${holder.pid}) is running in the work dir ${workDir}; stop it, or give this agent its own --work-dir` };
    rmSync(file, { force: true });
  }
  process.on("exit", () => {
    try {
      if ((JSON.parse(readFileSync(file, "utf8")) as Holder).pid === process.pid) rmSync(file, { force: true });
    } catch {
      // already gone
    }
  });
  return { ok: true };
}
