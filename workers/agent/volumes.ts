// A run's dataset files on this machine: a path the server named is used where this machine can read it (one
// machine, or a shared filesystem); otherwise the file is downloaded once into a cache keyed by its sha256 and
// shared by every run, checked against that hash, and the manifest the trainer reads points at the copy.
import { accessSync, constants, createWriteStream, existsSync, mkdirSync, openSync, readSync, closeSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { z } from "zod";
import type { ZRunSpec } from "../../lib/schemas/worker";
import { RefusedError, sha256File, type Conn } from "./checkpoints";

type Manifest = z.output<typeof ZRunSpec>["manifest"];

function readable(p: string | undefined) {
  if (!p) return false;
  try {
    accessSync(p, constants.R_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function isGzip(file: string) {
  const fd = openSync(file, "r");
  try {
    const b = Buffer.alloc(2);
    return readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/** Downloads one volume into the cache (resuming a partial download), verified; returns its path. */
async function fetchVolume(c: Conn, cacheDir: string, runId: string, sha256: string) {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`unexpected sha256 ${JSON.stringify(sha256)}`);
  for (const ext of [".nii.gz", ".nii"]) if (existsSync(path.join(cacheDir, sha256 + ext))) return path.join(cacheDir, sha256 + ext);
  mkdirSync(cacheDir, { recursive: true });
  const partial = path.join(cacheDir, `${sha256}.partial`);
  for (let attempt = 0; ; attempt++) {
    const have = existsSync(partial) ? statSync(partial).size : 0;
    try {
      // The size isn't in the manifest, the hash is: a partial file that is already whole (stopped before its
      // rename) is kept without asking for a range from its last byte on, which the server refuses (416).
      const whole = have > 0 && (await sha256File(partial)) === sha256;
      if (!whole) {
        const res = await fetch(`${c.server.replace(/\/+$/, "")}/api/v1/runs/${runId}/volumes/${sha256}`, {
          headers: { authorization: `Bearer ${c.token}`, ...(have ? { range: `bytes=${have}-` } : {}) },
        });
        if (res.status === 416) {
          // Longer than the file: start again at once.
          await res.body?.cancel();
          rmSync(partial, { force: true });
          if (attempt < 4) continue;
          throw new Error("volume download: the server refused every range (HTTP 416)");
        }
        if (res.status >= 400 && res.status < 500) throw new RefusedError(res.status, `volume download: HTTP ${res.status}`);
        if (!res.ok || !res.body) throw new Error(`volume download: HTTP ${res.status}`);
        await pipeline(Readable.fromWeb(res.body as never), createWriteStream(partial, { flags: res.status === 206 ? "a" : "w" }));
      }
      const got = await sha256File(partial);
      if (got !== sha256) {
        rmSync(partial, { force: true });
        throw new Error(`volume ${sha256.slice(0, 12)}: downloaded file hashes to ${got.slice(0, 12)}`);
      }
      const final = path.join(cacheDir, sha256 + (isGzip(partial) ? ".nii.gz" : ".nii"));
      renameSync(partial, final);
      return final;
    } catch (e) {
      if (e instanceof RefusedError || attempt >= 4) throw e;
      await new Promise((r) => setTimeout(r, 1000 * 2 ** attempt));
    }
  }
}

/** The manifest with every volume at a path this machine can read; `note` reports downloads. */
export async function materializeVolumes(c: Conn, cacheDir: string, runId: string, manifest: Manifest, note: (line: string) => Promise<void> | void): Promise<Manifest> {
  const missing = manifest.volumes.filter((v) => !readable(v.path));
  if (missing.length) await note(`downloading ${missing.length} of ${manifest.volumes.length} volume(s) from the server (cached by sha256 in ${cacheDir})`);
  const volumes = [];
  for (const v of manifest.volumes) {
    if (readable(v.path)) {
      volumes.push(v);
      continue;
    }
    try {
      volumes.push({ ...v, path: await fetchVolume(c, cacheDir, runId, v.sha256) });
    } catch (e) {
      // 401/403: this lease is over, the caller stops. Anything else costs this volume only: the trainer goes on
      // with the rest, as it does with a file it can't read.
      if (e instanceof RefusedError && (e.status === 401 || e.status === 403)) throw e;
      await note(`volume ${v.id} (sha256 ${v.sha256.slice(0, 12)}) is not available: ${(e as Error).message}`);
    }
  }
  return { ...manifest, volumes };
}
