// npm test on a fresh machine: scripts/prerequisites.sh with dpkg, id and apt-get replaced by stubs that
// record what they were asked.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

function machine(opts: { uid: number; installed: boolean; aptWorks?: boolean }) {
  const bin = mkdtempSync(path.join(os.tmpdir(), "prereq-"));
  const log = path.join(bin, "apt.log");
  const stub = (name: string, body: string) => {
    writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(path.join(bin, name), 0o755);
  };
  stub("dpkg", `exit ${opts.installed ? 0 : 1}`);
  stub("id", `echo ${opts.uid}`);
  stub("apt-get", `echo "$@" >> ${log}; exit ${opts.aptWorks === false ? 1 : 0}`);
  const r = spawnSync("bash", ["scripts/prerequisites.sh"], { env: { ...process.env, PATH: `${bin}:/usr/bin:/bin` }, encoding: "utf8" });
  return { status: r.status, stderr: r.stderr, apt: existsSync(log) ? readFileSync(log, "utf8") : "" };
}

describe("system prerequisites of npm test", () => {
  it("not root and packages missing: stops without touching apt and names the exact command", () => {
    const r = machine({ uid: 1000, installed: false });
    expect(r.status).toBe(1);
    expect(r.apt).toBe("");
    expect(r.stderr).toContain("sudo sh -c 'apt-get update && apt-get install -y --no-install-recommends chromium python3-torch");
    expect(r.stderr).toContain("postgresql-15");
    expect(r.stderr).toContain("dcmtk dcm2niix'");
  });

  it("root and packages missing: installs them with apt", () => {
    const r = machine({ uid: 0, installed: false });
    expect(r.status).toBe(0);
    expect(r.apt.split("\n")[0]).toBe("update -qq");
    expect(r.apt).toMatch(/^install -y -qq --no-install-recommends chromium python3-torch .*postgresql-15.* dcmtk dcm2niix$/m);
  });

  it("root but apt fails: stops and says what to run", () => {
    const r = machine({ uid: 0, installed: false, aptWorks: false });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("apt-get update && apt-get install -y --no-install-recommends chromium");
  });

  it("everything installed: nothing to do", () => {
    const r = machine({ uid: 1000, installed: true });
    expect(r.status).toBe(0);
    expect(r.apt).toBe("");
  });
});
