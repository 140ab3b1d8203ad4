// `hounsfield start` runs the job process beside the web process and keeps it running: restarted when it dies
// (after a pause that grows while it keeps dying), stopped first on shutdown so it hands its jobs back.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { PROJECT_ROOT } from "../build";

const BIN = path.join(PROJECT_ROOT, "bin", "hounsfield.mjs");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function superviseJobProcess(log: (line: string) => void) {
  let child: ChildProcess | undefined;
  let stopping = false;
  const loop = async () => {
    for (let failures = 0; !stopping; ) {
      const started = Date.now();
      // An IPC channel only so the job process knows when this one is gone (killed with -9): it then stops too,
      // rather than go on as an orphan holding its jobs.
      child = spawn(process.execPath, [BIN, "jobs"], { env: process.env, stdio: ["ignore", "pipe", "pipe", "ipc"] });
      const relay = (b: Buffer) => b.toString().trimEnd().split("\n").forEach((l) => log(`jobs: ${l.replace(/^\[jobs\] /, "")}`));
      child.stdout?.on("data", relay);
      child.stderr?.on("data", relay);
      const code = await new Promise<number | string | null>((r) => child!.on("exit", (c, s) => r(c ?? s)));
      if (stopping) return;
      failures = Date.now() - started > 60_000 ? 1 : failures + 1;
      const wait = Math.min(30_000, 500 * 2 ** Math.min(failures, 6));
      log(`job process exited (${code}); restarting in ${(wait / 1000).toFixed(1)} s`);
      await sleep(wait);
    }
  };
  void loop();
  return {
    pid: () => child?.pid,
    /** SIGTERM: the job process hands its jobs back and exits; SIGKILL if it hasn't after 10 s. */
    async stop() {
      stopping = true;
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const gone = new Promise((r) => c.once("exit", r));
      c.kill("SIGTERM");
      await Promise.race([gone, sleep(10_000)]);
      if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    },
  };
}
