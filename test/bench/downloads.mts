// npm run bench:downloads — one 2 GiB release file served three ways by a real server (embedded PostgreSQL) and
// Debian's nginx, which the benchmark starts itself:
//   downloads.node               MB/s through the authorized download route; baseline nginx serving the file (sendfile)
//   downloads.offload            MB/s with DOWNLOAD_OFFLOAD=x-accel: the app authorizes and records, nginx sends
//   downloads.parallel_added_mb  the server's RSS added by 8 parallel downloads through the route
//   downloads.resume_mb_per_s    `hounsfield download` finishing a file interrupted halfway (sha256 checked)
// BENCH_FILE_BYTES sets the size. Needs nginx and curl (apt-get install nginx curl).
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, createReadStream, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import * as tar from "tar";
import { Upload } from "tus-js-client";
import { freePort } from "../../lib/db/embedded";
import { cli } from "../e2e/support/cli";
import { startServer } from "../support/start-server";

const BYTES = Number(process.env.BENCH_FILE_BYTES ?? 2 * 2 ** 30);
const MB = 2 ** 20;
const line = (name: string, v: number, unit: string, base: number, baseUnit: string) =>
  console.log(`bench ${name}: ${v.toFixed(v < 100 ? 1 : 0)} ${unit} (baseline ${base.toFixed(base < 100 ? 1 : 0)} ${baseUnit}, ratio ${(v / base).toFixed(3)})`);

for (const tool of ["nginx", "curl"]) {
  if (spawnSync("sh", ["-c", `command -v ${tool} || test -x /usr/sbin/${tool}`]).status !== 0) {
    console.error(`bench:downloads needs ${tool}: apt-get install -y ${tool}`);
    process.exit(2);
  }
}

/** curl's average speed (bytes/s) fetching `url` to /dev/null. */
function curlSpeed(url: string, headers: string[] = []) {
  const out = execFileSync("curl", ["-sS", "-f", "-o", "/dev/null", "-w", "%{speed_download} %{size_download}", ...headers.flatMap((h) => ["-H", h]), url], { encoding: "utf8", maxBuffer: 1 << 20 });
  const [speed, size] = out.trim().split(" ").map(Number);
  if (size !== BYTES) throw new Error(`${url}: got ${size} bytes, not ${BYTES}`);
  return speed / MB;
}

const work = mkdtempSync(path.join(os.tmpdir(), "hounsfield-bench-downloads-"));
let server = await startServer();
let nginx: ReturnType<typeof spawn> | undefined;
try {
  process.env.HOUNSFIELD_DATA_DIR = server.dataDir;
  const admin = { authorization: `Bearer ${(await cli(["token", "create", "--email", server.adminEmail, "--scopes", "admin", "--name", "bench"])).trim()}` };
  const call = async (token: Record<string, string>, method: string, url: string, body?: unknown) => {
    const res = await fetch(`${server.baseUrl}/api/v1${url}`, { method, headers: { ...token, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  while ((await fetch(`${server.baseUrl}/api/v1/datasets/sample-ct/versions`, { headers: admin })).status !== 200) await new Promise((r) => setTimeout(r, 500));

  // A checkpoint with BYTES of weights, uploaded by a worker that leases its run, then released (OPEN, no terms).
  const stepDir = path.join(work, "step-1");
  mkdirSync(stepDir);
  const weights = path.join(stepDir, "model.safetensors");
  {
    const HEADER = 128; // padded with spaces, as safetensors allows
    const data = BYTES - 8 - HEADER;
    const header = JSON.stringify({ w: { dtype: "U8", shape: [data], data_offsets: [0, data] } }).padEnd(HEADER, " ");
    const fd = openSync(weights, "w");
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(HEADER));
    writeSync(fd, len);
    writeSync(fd, header);
    const block = Buffer.alloc(64 * MB);
    for (let i = 0; i < block.length; i += 4096) block.writeUInt32LE((i * 2654435761) >>> 0, i);
    for (let written = 0; written < data; written += block.length) writeSync(fd, block, 0, Math.min(block.length, data - written));
    closeSync(fd);
  }
  writeFileSync(path.join(stepDir, "config.json"), "{}");
  writeFileSync(path.join(stepDir, "preprocessing.json"), JSON.stringify({ orientation: "RAS" }));
  writeFileSync(path.join(stepDir, "finetune_starter.py"), "print('starter')\n");
  const ckpt = path.join(work, "ckpt.tar");
  await tar.c({ cwd: work, file: ckpt, portable: true }, ["step-1"]);
  const sha256Of = (f: string) =>
    new Promise<string>((resolve) => {
      const h = createHash("sha256");
      createReadStream(f).on("data", (d) => h.update(d)).on("end", () => resolve(h.digest("hex")));
    });
  const weightsSha = await sha256Of(weights);
  rmSync(stepDir, { recursive: true });
  const ckptSha = await sha256Of(ckpt);
  const workerToken = { authorization: `Bearer ${(await call(admin, "POST", "/tokens", { name: "bench worker", scopes: ["worker"] })).secret}` };
  const worker = (await call(workerToken, "POST", "/workers", { name: "bench", executor: "SLURM", instanceId: "bench-agent" })).id;
  const run = (await call(admin, "POST", "/runs", { name: "released", preset: "tiny", executor: "SLURM", gpus: 0, datasetMix: [{ dataset: "sample-ct", weight: 1 }] })).id;
  const claim = (await call(workerToken, "POST", `/workers/${worker}/claim`, { instanceId: "bench-agent" })).run;
  await new Promise<void>((resolve, reject) => {
    new Upload(createReadStream(ckpt), {
      endpoint: `${server.baseUrl}/api/v1/uploads`, uploadSize: statSync(ckpt).size, chunkSize: 64 * MB, retryDelays: [], storeFingerprintForResuming: false,
      metadata: { runId: run, epoch: String(claim.epoch), step: "1", sha256: ckptSha }, headers: workerToken, onSuccess: () => resolve(), onError: reject,
    }).start();
  });
  rmSync(ckpt);
  const release = await call(admin, "POST", "/releases", { runId: run, step: 1, name: "bench-encoder", version: "1.0.0", license: "CC BY 4.0", policy: "OPEN" });
  await call(admin, "POST", `/releases/${release.id}/publish`, {});
  const file = release.files.find((f: { path: string }) => f.path === "model.safetensors");
  if (file.sha256 !== weightsSha) throw new Error("the released weights are not the uploaded ones");
  const reader = (await call(admin, "POST", "/tokens", { name: "bench reader", scopes: ["read", "download"] })).secret as string;
  const auth = [`Authorization: Bearer ${reader}`];
  const blobs = path.join(server.dataDir, "blobs");
  const key = `releases/${release.id.toLowerCase()}/model.safetensors`;

  // nginx: the file itself (baseline), and a proxy in front of the app with the internal location for offload.
  const port = await freePort();
  const appPort = new URL(server.baseUrl).port;
  const ngx = path.join(work, "nginx");
  mkdirSync(path.join(ngx, "tmp"), { recursive: true });
  writeFileSync(path.join(ngx, "nginx.conf"), `user root;
worker_processes 2;
pid ${ngx}/nginx.pid;
error_log ${ngx}/error.log;
daemon off;
events { worker_connections 256; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  client_body_temp_path ${ngx}/tmp/body; proxy_temp_path ${ngx}/tmp/proxy; fastcgi_temp_path ${ngx}/tmp/fcgi; uwsgi_temp_path ${ngx}/tmp/uwsgi; scgi_temp_path ${ngx}/tmp/scgi;
  server {
    listen 127.0.0.1:${port};
    location /files/ { alias ${blobs}/; }
    location /_hounsfield_blobs/ { internal; alias ${blobs}/; }
    location / { proxy_pass http://127.0.0.1:${appPort}; proxy_set_header Host localhost:${appPort}; proxy_http_version 1.1; proxy_buffering off; }
  }
}
`);
  nginx = spawn("nginx", ["-c", path.join(ngx, "nginx.conf"), "-p", ngx], { stdio: ["ignore", "ignore", "pipe"] });
  for (let i = 0; i < 50 && spawnSync("curl", ["-sf", "-o", "/dev/null", `http://127.0.0.1:${port}/files/${key}`, "-r", "0-0"]).status !== 0; i++) await new Promise((r) => setTimeout(r, 100));

  // Writing the 2 GiB checkpoint, its upload and the release's copy leaves gigabytes of dirty pages; flushed first,
  // so no figure is taken while the kernel writes them back (the file is then served from the page cache by all).
  execFileSync("sync");
  curlSpeed(`http://127.0.0.1:${port}/files/${key}`); // warm: every mode reads from the page cache
  const base = curlSpeed(`http://127.0.0.1:${port}/files/${key}`);
  const node = curlSpeed(`${server.baseUrl}/api/v1/releases/${release.id}/files/model.safetensors`, auth);
  line("downloads.node", node, "MB/s", base, "MB/s nginx sendfile");

  // Eight at once through the route: what they add to the server's memory.
  const pid = server.process.pid!;
  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) * 1024;
  const idle = rss();
  let peak = idle;
  const sampler = setInterval(() => (peak = Math.max(peak, rss())), 50);
  await Promise.all(Array.from({ length: 8 }, () => new Promise<void>((resolve, reject) => {
    const c = spawn("curl", ["-sS", "-f", "-o", "/dev/null", "-H", auth[0], `${server.baseUrl}/api/v1/releases/${release.id}/files/model.safetensors`]);
    c.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`curl ${code}`))));
  })));
  clearInterval(sampler);
  line("downloads.parallel_added_mb", (peak - idle) / MB, "MB", 100, "MB target");

  // Interrupted halfway: the CLI resumes from the partial file and checks the sha256.
  const out = path.join(work, "out");
  mkdirSync(out);
  {
    const fd = openSync(path.join(out, "model.safetensors.partial"), "w");
    const src = openSync(path.join(blobs, key), "r");
    const buf = Buffer.alloc(64 * MB);
    for (let pos = 0; pos < Math.floor(BYTES / 2); pos += buf.length) {
      const n = Math.min(buf.length, Math.floor(BYTES / 2) - pos);
      writeSync(fd, buf, 0, readSync(src, buf, 0, n, pos));
    }
    closeSync(fd);
    closeSync(src);
  }
  let t = performance.now();
  const resumed = spawnSync(process.execPath, ["bin/hounsfield.mjs", "download", "bench-encoder@1.0.0", "--server", server.baseUrl, "--token", reader, "--out", out], { encoding: "utf8" });
  const resumeMBs = (BYTES - Math.floor(BYTES / 2)) / MB / ((performance.now() - t) / 1000);
  if (resumed.status !== 0) throw new Error(`resume failed: ${resumed.stderr}`);
  line("downloads.resume_mb_per_s", resumeMBs, "MB/s", node, "MB/s whole file through the route");
  rmSync(out, { recursive: true });

  // Offload: the same server restarted with DOWNLOAD_OFFLOAD=x-accel, reached through nginx.
  await server.halt();
  server = await startServer({ DOWNLOAD_OFFLOAD: "x-accel" }, { reuse: server });
  const offload = curlSpeed(`http://127.0.0.1:${port}/api/v1/releases/${release.id}/files/model.safetensors`, auth);
  line("downloads.offload", offload, "MB/s", base, "MB/s nginx sendfile");
} finally {
  nginx?.kill("SIGQUIT");
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}
