// `npx hounsfield download <name>[@version]`: a release's files into a folder, over HTTP only (like the agent):
// each file resumed from where an earlier try stopped (Range), checked against its sha256, with a progress bar.
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, lstatSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";

export const DOWNLOAD_HELP = `Usage: npx hounsfield download <name>[@version] [options]

Downloads a release's files (weights, config, preprocessing contract, fine-tune starter, model card) into a
folder, resuming interrupted files and checking each against its sha256. Without @version: the newest published.

Options:
  --server URL    the Hounsfield server (default $HOUNSFIELD_SERVER or http://localhost:3000)
  --token TOKEN   an API token with the download and read scopes (default $HOUNSFIELD_TOKEN)
  --out DIR       where the files go (default ./<name>)
  -h, --help      this help`;

type Release = { id: string; name: string; version: string; status: string; files: { path: string; sha256: string; bytes: number }[]; access: { canDownload: boolean }; termsVersion: string };

class Fail extends Error {}

async function api<T>(server: string, token: string, url: string): Promise<T> {
  const res = await fetch(`${server}/api/v1${url}`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) {
    const p = (await res.json().catch(() => ({}))) as { detail?: string; title?: string };
    throw new Fail(`${url}: HTTP ${res.status} ${p.detail ?? p.title ?? ""}`.trim());
  }
  return (await res.json()) as T;
}

async function sha256File(file: string) {
  const h = createHash("sha256");
  await pipeline(createReadStream(file), h);
  return h.digest("hex");
}

function progress(label: string, total: number) {
  const tty = process.stderr.isTTY;
  let shown = -1;
  return (done: number) => {
    const pct = total ? Math.floor((100 * done) / total) : 100;
    if (tty) {
      const width = 30;
      const fill = Math.round((pct / 100) * width);
      process.stderr.write(`\r${label.padEnd(22).slice(0, 22)} [${"#".repeat(fill)}${" ".repeat(width - fill)}] ${String(pct).padStart(3)} % ${(done / 2 ** 20).toFixed(1)}/${(total / 2 ** 20).toFixed(1)} MiB`);
      if (done >= total) process.stderr.write("\n");
    } else if (pct >= shown + 25 || done >= total) {
      shown = pct;
      process.stderr.write(`${label}: ${pct} %\n`);
    }
  };
}

/** Where a file the server names is written: a plain name directly inside `out`, or why not. Names come from the
 * server and are not trusted with paths: no folders, no climbing out, no absolute or Windows paths, no NUL or
 * control characters, and nothing there already that isn't a regular file (a folder, or a link that could point
 * anywhere). */
export function targetFor(out: string, f: { path?: unknown; sha256?: unknown; bytes?: unknown }): { file: string } | { refused: string } {
  if (typeof f.path !== "string" || !/^[A-Za-z0-9_][A-Za-z0-9._-]{0,199}$/.test(f.path)) return { refused: "not a plain file name" };
  if (typeof f.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(f.sha256) || !Number.isSafeInteger(f.bytes) || (f.bytes as number) < 0) return { refused: "no sha256 and size to check it against" };
  const file = path.join(out, f.path);
  if (path.dirname(file) !== out) return { refused: "not a plain file name" };
  for (const p of [file, `${file}.partial`]) {
    const st = lstatSync(p, { throwIfNoEntry: false });
    if (st && !st.isFile()) return { refused: `${path.basename(p)} exists in ${out} and is not a regular file` };
  }
  return { file };
}

/** A name from the server as it may be printed: quoted, cut short, control and non-ASCII characters escaped. */
const quoted = (name: unknown) => JSON.stringify(String(name).slice(0, 100)).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

async function fetchFile(server: string, token: string, release: Release, f: Release["files"][number], target: string) {
  if (existsSync(target) && (await sha256File(target)) === f.sha256) {
    process.stderr.write(`${f.path}: already here, sha256 matches\n`);
    return;
  }
  const partial = `${target}.partial`;
  for (let attempt = 0; ; attempt++) {
    let have = existsSync(partial) ? statSync(partial).size : 0;
    if (have > f.bytes) {
      rmSync(partial, { force: true });
      have = 0;
    }
    // A complete partial file (stopped before its check) is checked, never asked for from its last byte on.
    if (have < f.bytes || !existsSync(partial)) {
      const res = await fetch(`${server}/api/v1/releases/${release.id}/files/${encodeURIComponent(f.path)}`, { headers: { authorization: `Bearer ${token}`, ...(have ? { range: `bytes=${have}-` } : {}) } });
      if (res.status === 416 || (res.status === 206 && !res.headers.get("content-range")?.startsWith(`bytes ${have}-`))) {
        await res.body?.cancel();
        rmSync(partial, { force: true });
        if (attempt >= 5) throw new Fail(`${f.path}: the server can't resume it (HTTP ${res.status})`);
        continue;
      }
      if (res.status === 403) {
        const p = (await res.json().catch(() => ({}))) as { title?: string; detail?: string };
        throw new Fail(p.title === "Terms not accepted" ? `accept the release's terms first (version ${release.termsVersion}): open ${server}/releases/${release.id}` : `no access to ${release.name} ${release.version}: ${p.detail ?? "request it on its page"}`);
      }
      if (!res.ok || !res.body) {
        if (attempt >= 5) throw new Fail(`${f.path}: HTTP ${res.status}`);
        await new Promise((r) => setTimeout(r, 1000 * 2 ** attempt));
        continue;
      }
      const append = res.status === 206;
      let done = append ? have : 0;
      const show = progress(f.path, f.bytes);
      const count = new Transform({
        transform(chunk: Buffer, _e, cb) {
          done += chunk.length;
          show(done);
          cb(null, chunk);
        },
      });
      try {
        await pipeline(Readable.fromWeb(res.body as never), count, createWriteStream(partial, { flags: append ? "a" : "w" }));
      } catch (e) {
        if (attempt >= 5) throw e;
        process.stderr.write(`\n${f.path}: interrupted (${(e as Error).message}); resuming\n`);
        continue;
      }
      show(f.bytes);
    }
    const got = await sha256File(partial);
    if (got !== f.sha256) {
      rmSync(partial, { force: true });
      throw new Fail(`${f.path}: sha256 ${got} is not the release's ${f.sha256}; the partial file was removed, run again`);
    }
    renameSync(partial, target);
    return;
  }
}

export async function downloadMain(argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { server: { type: "string" }, token: { type: "string" }, out: { type: "string" }, help: { type: "boolean", short: "h" } } });
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${DOWNLOAD_HELP}`);
    process.exit(2);
  }
  if (parsed.values.help) return console.log(DOWNLOAD_HELP);
  const spec = parsed.positionals[0];
  const token = parsed.values.token ?? process.env.HOUNSFIELD_TOKEN;
  if (!spec || parsed.positionals.length > 1 || !token) {
    console.error(`${!spec ? "name the release to download" : !token ? "give a token (--token or HOUNSFIELD_TOKEN)" : "one release at a time"}\n\n${DOWNLOAD_HELP}`);
    process.exit(2);
  }
  const [name, version] = spec.split("@");
  const server = (parsed.values.server ?? process.env.HOUNSFIELD_SERVER ?? "http://localhost:3000").replace(/\/+$/, "");
  const out = path.resolve(parsed.values.out ?? name);
  try {
    const { releases } = await api<{ releases: { id: string; name: string; version: string; status: string }[] }>(server, token, "/releases");
    const match = releases.filter((r) => r.name === name && r.status === "PUBLISHED" && (!version || r.version === version));
    if (!match.length) throw new Fail(`no published release ${spec} that this token can see`);
    const release = await api<Release>(server, token, `/releases/${match[0].id}`);
    mkdirSync(out, { recursive: true });
    // A file the server names badly is refused with the reason and the others still come; the exit status says so.
    const refused: string[] = [];
    const seen = new Set<string>();
    for (const f of release.files) {
      const t = seen.has(f.path) ? { refused: "listed twice" } : targetFor(out, f);
      seen.add(f.path);
      if ("refused" in t) {
        refused.push(`${quoted(f.path)}: ${t.refused}`);
        process.stderr.write(`refused a file the server named ${refused.at(-1)}; nothing was written for it\n`);
        continue;
      }
      await fetchFile(server, token, release, f, t.file);
    }
    process.stderr.write(`${release.name} ${release.version}: ${release.files.length - refused.length} files in ${out}\n`);
    if (refused.length) throw new Fail(`${refused.length} file(s) refused, each written nowhere:\n  ${refused.join("\n  ")}`);
  } catch (e) {
    console.error(`hounsfield download: ${(e as Error).message}`);
    process.exit(1);
  }
}
