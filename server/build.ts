// `npm start` builds only when the sources changed since the last build, so later starts take seconds.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const INPUTS = ["app", "components", "lib", "public", "generated", "next.config.ts", "postcss.config.mjs", "package-lock.json", "tsconfig.json"];
const STAMP = path.join(ROOT, ".next", "hounsfield-sources");

function walk(p: string, out: string[]) {
  if (!existsSync(p)) return;
  const st = statSync(p);
  if (st.isFile()) return void out.push(`${path.relative(ROOT, p)}:${st.size}:${st.mtimeMs}`);
  for (const name of readdirSync(p).sort()) walk(path.join(p, name), out);
}

export function sourceFingerprint() {
  const entries: string[] = [];
  for (const i of INPUTS) walk(path.join(ROOT, i), entries);
  return createHash("sha256").update(entries.join("\n")).digest("hex");
}

export function buildIsCurrent() {
  return existsSync(path.join(ROOT, ".next", "BUILD_ID")) && existsSync(STAMP) && readFileSync(STAMP, "utf8") === sourceFingerprint();
}

export async function buildIfNeeded(log: (l: string) => void) {
  if (buildIsCurrent()) return false;
  log("building the dashboard (first start or changed sources; about a minute)…");
  const before = sourceFingerprint();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, "node_modules/next/dist/bin/next"), "build"], {
      cwd: ROOT,
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
    });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`next build failed (exit ${code})`))));
  });
  writeFileSync(STAMP, before);
  return true;
}

export const PROJECT_ROOT = ROOT;
