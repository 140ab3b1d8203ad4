import { spawn } from "node:child_process";

/** Runs `hounsfield …` against the test server's data folder (it reuses the running database). */
export function cli(args: string[], stdin?: string, env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["bin/hounsfield.mjs", ...args], { env: { ...process.env, DATABASE_URL: "", ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.stdin.end(stdin ?? "");
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`hounsfield ${args.join(" ")} exited ${code}: ${err}`))));
  });
}
