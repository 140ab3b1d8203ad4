// The two downloaders that resume (`hounsfield download` and the agent's volume cache) against a real HTTP server
// made here, which answers Range as the real one does (416 from the end of the file on) and can send any file
// names: hostile names are refused and nothing is written outside --out; a partial file that is already whole is
// checked, never asked for from its last byte on.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { materializeVolumes } from "../../workers/agent/volumes";

const ROOT = path.resolve(import.meta.dirname, "../..");
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

type Served = { name: string; body: Buffer };
let files: Served[] = [];
/** Every file request: its path and Range header. */
let asked: { url: string; range: string | null }[] = [];
let server: http.Server;
let base: string;

function sendRanged(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) {
  const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
  if (!m) return void res.writeHead(200, { "content-length": body.length }).end(body);
  const from = Number(m[1]);
  if (from >= body.length) return void res.writeHead(416, { "content-range": `bytes */${body.length}` }).end();
  res.writeHead(206, { "content-range": `bytes ${from}-${body.length - 1}/${body.length}`, "content-length": body.length - from }).end(body.subarray(from));
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = req.url ?? "/";
    const json = (v: unknown) => void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(v));
    if (url === "/api/v1/releases") return json({ releases: [{ id: "rel1", name: "enc", version: "1.0.0", status: "PUBLISHED" }] });
    if (url === "/api/v1/releases/rel1") {
      return json({ id: "rel1", name: "enc", version: "1.0.0", status: "PUBLISHED", termsVersion: "1", access: { canDownload: true }, files: files.map((f) => ({ path: f.name, sha256: sha(f.body), bytes: f.body.length })) });
    }
    const file = /^\/api\/v1\/releases\/rel1\/files\/(.+)$/.exec(url);
    const volume = /^\/api\/v1\/runs\/run1\/volumes\/([0-9a-f]{64})$/.exec(url);
    asked.push({ url, range: req.headers.range ?? null });
    const found = file ? files.find((f) => f.name === decodeURIComponent(file[1])) : volume ? files.find((f) => sha(f.body) === volume[1]) : null;
    if (!found) return void res.writeHead(404).end();
    sendRanged(req, res, found.body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

function download(out: string) {
  return new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ["bin/hounsfield.mjs", "download", "enc", "--server", base, "--token", "hfk_test", "--out", out], { cwd: ROOT, env: { ...process.env, DATABASE_URL: "" }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (code) => resolve({ code, stderr }));
  });
}

/** Every file under `dir`, as paths relative to it (links listed, not followed). */
function tree(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? [`${e.name}/`, ...tree(path.join(dir, e.name)).map((f) => `${e.name}/${f}`)] : [e.name])).sort();
}

describe("hounsfield download and hostile file names", () => {
  it("refuses each name that isn't a plain file inside --out, says which and why, fetches the rest, and exits 1", async () => {
    const sandbox = mkdtempSync(path.join(os.tmpdir(), "download-names-"));
    const out = path.join(sandbox, "out");
    mkdirSync(path.join(out, "weights"), { recursive: true });
    writeFileSync(path.join(sandbox, "outside.txt"), "untouched");
    symlinkSync(path.join(sandbox, "outside.txt"), path.join(out, "linked.json"));
    const good = Buffer.from("safetensors bytes");
    const hostile = ["../escaped.txt", path.join(sandbox, "absolute.txt"), "a/../../b.txt", "sub/inner.txt", "nul\u0000.txt", "back\\..\\slash.txt", "..", ".", "", ".hidden", "C:evil.txt", "weights", "linked.json", "\u001b[2Jclear.txt"];
    files = [{ name: "model.safetensors", body: good }, ...hostile.map((name) => ({ name, body: Buffer.from(`evil ${name}`) })), { name: "model.safetensors", body: Buffer.from("a second copy") }, { name: "config.json", body: Buffer.from("{}") }];
    asked = [];
    const r = await download(out);
    expect(r.code).toBe(1);
    expect(readFileSync(path.join(out, "model.safetensors"))).toEqual(good);
    expect(readFileSync(path.join(out, "config.json"), "utf8")).toBe("{}");
    // Nothing else anywhere: not in the sandbox around --out, not through the link, not in the folder of that name.
    expect(tree(sandbox)).toEqual(["out/", "out/config.json", "out/linked.json", "out/model.safetensors", "out/weights/", "outside.txt"]);
    expect(readFileSync(path.join(sandbox, "outside.txt"), "utf8")).toBe("untouched");
    // Only the two good files were asked for.
    expect(asked.map((a) => a.url).sort()).toEqual(["/api/v1/releases/rel1/files/config.json", "/api/v1/releases/rel1/files/model.safetensors"]);
    // Each refusal is named (escaped, never printed raw) with its reason.
    expect(r.stderr).toContain('"../escaped.txt": not a plain file name');
    expect(r.stderr).toContain('"nul\\u0000.txt": not a plain file name');
    expect(r.stderr).toContain('"\\u001b[2Jclear.txt": not a plain file name');
    expect(r.stderr).toContain('"weights": weights exists in');
    expect(r.stderr).toContain('"linked.json": linked.json exists in');
    expect(r.stderr).toContain('"model.safetensors": listed twice');
    expect(r.stderr).not.toContain("\u001b[2J");
    expect(r.stderr).toMatch(/15 file\(s\) refused/);
  });
});

describe("resuming never asks for a range from the end of a file", () => {
  it("hounsfield download: a whole partial file is checked and kept without a request; a half one resumes from its length", async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), "download-resume-"));
    const whole = Buffer.from("w".repeat(1000));
    const half = Buffer.from("h".repeat(1000));
    files = [{ name: "whole.bin", body: whole }, { name: "half.bin", body: half }];
    writeFileSync(path.join(out, "whole.bin.partial"), whole);
    writeFileSync(path.join(out, "half.bin.partial"), half.subarray(0, 400));
    asked = [];
    const r = await download(out);
    expect(r.stderr).not.toMatch(/refused|HTTP/);
    expect(r.code).toBe(0);
    expect(asked).toEqual([{ url: "/api/v1/releases/rel1/files/half.bin", range: "bytes=400-" }]);
    expect(readFileSync(path.join(out, "whole.bin"))).toEqual(whole);
    expect(readFileSync(path.join(out, "half.bin"))).toEqual(half);
    expect(tree(out)).toEqual(["half.bin", "whole.bin"]);
  });

  it("the agent's volume cache: a whole partial volume is kept without a request; a half one resumes; a too-long one starts over", async () => {
    const cache = mkdtempSync(path.join(os.tmpdir(), "agent-cache-"));
    const vols = ["a", "b", "c"].map((c) => Buffer.from(c.repeat(5000)));
    files = vols.map((body, i) => ({ name: `v${i}`, body }));
    writeFileSync(path.join(cache, `${sha(vols[0])}.partial`), vols[0]);
    writeFileSync(path.join(cache, `${sha(vols[1])}.partial`), vols[1].subarray(0, 1234));
    writeFileSync(path.join(cache, `${sha(vols[2])}.partial`), Buffer.concat([vols[2], Buffer.from("junk")]));
    asked = [];
    const notes: string[] = [];
    const manifest = { volumes: vols.map((v, i) => ({ id: `s${i}`, path: `/nowhere/${i}.nii`, sha256: sha(v), weight: 1 })) };
    const got = await materializeVolumes({ server: base, token: "hfk_test" } as never, cache, "run1", manifest, (l) => void notes.push(l));
    expect(notes.filter((n) => /not available/.test(n))).toEqual([]);
    expect(got.volumes.map((v) => readFileSync(v.path!))).toEqual(vols);
    expect(asked).toEqual([
      { url: `/api/v1/runs/run1/volumes/${sha(vols[1])}`, range: "bytes=1234-" },
      { url: `/api/v1/runs/run1/volumes/${sha(vols[2])}`, range: "bytes=5004-" },
      { url: `/api/v1/runs/run1/volumes/${sha(vols[2])}`, range: null },
    ]);
  });
});
