// Registering files from the server's own disks: only under a root an administrator allowed (DATASET_ROOTS),
// never through a symlink, `..`, an absolute path or an encoded form of either. The folder named in a request is
// resolved to its real path and must still be inside the real root; the walk never follows links.
import "server-only";
import type { Dirent } from "node:fs";
import { lstat, readdir, realpath } from "node:fs/promises";
import path from "node:path";
import { env } from "../env";
import { invalid } from "../errors";

export function allowedRoots(): string[] {
  return env()
    .DATASET_ROOTS.split(":")
    .map((r) => r.trim())
    .filter((r) => path.isAbsolute(r))
    .map((r) => path.resolve(r));
}

const bad = (message: string, field = "folder") => invalid(message, [{ field, message }]);

/** The real, absolute folder for (root, relative folder), or a 400 naming what is wrong. */
export async function resolveFolder(root: string, folder: string): Promise<string> {
  const roots = allowedRoots();
  if (!roots.length) throw bad("No server folders are open for registration: an administrator lists them in DATASET_ROOTS", "root");
  if (!roots.includes(root)) throw bad(`${JSON.stringify(root.slice(0, 200))} is not an allowed root (${roots.join(", ")})`, "root");
  if (folder.includes("\0")) throw bad("the folder contains a NUL character");
  if (path.isAbsolute(folder) || folder.startsWith("\\")) throw bad("give the folder relative to its root, not as an absolute path");
  // A literal "%2e%2e" names no real folder; refusing encoded separators and dots keeps a decoding layer anywhere
  // (a proxy, a later change) from turning one into a traversal.
  if (/%(2e|2f|5c|00)/i.test(folder)) throw bad("the folder contains a percent-encoded dot, slash or NUL");
  const parts = folder.split(/[/\\]+/).filter((p) => p !== "");
  if (parts.some((p) => p === ".." || p === ".")) throw bad("the folder may not contain '.' or '..' segments");
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch {
    throw bad(`the root ${root} does not exist on the server`, "root");
  }
  const wanted = path.join(realRoot, ...parts);
  let real: string;
  try {
    const st = await lstat(wanted);
    if (st.isSymbolicLink()) throw bad("the folder is a symbolic link; register the folder it points to, under an allowed root");
    if (!st.isDirectory()) throw bad("not a folder");
    real = await realpath(wanted);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw bad("no such folder under the root");
    throw e;
  }
  // A link higher up the path could still lead outside.
  if (real !== realRoot && !real.startsWith(realRoot + path.sep)) throw bad("the folder resolves outside its root (through a symbolic link)");
  return real;
}

export type WalkEntry = { path: string; name: string; size: number } | { path: string; name: string; skipped: string };

/** Every regular file under `dir` (relative names for people), symlinks and special files reported, not followed.
 * Stops with an error past `maxFiles`. */
export async function walkFolder(dir: string, maxFiles: number): Promise<WalkEntry[]> {
  const out: WalkEntry[] = [];
  const stack = [dir];
  while (stack.length) {
    const current = stack.pop()!;
    let entries: Dirent[];
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch (e) {
      out.push({ path: current, name: path.relative(dir, current) || ".", skipped: `unreadable folder: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const full = path.join(current, e.name);
      const name = path.relative(dir, full);
      if (e.isSymbolicLink()) out.push({ path: full, name, skipped: "a symbolic link (not followed)" });
      else if (e.isDirectory()) stack.push(full);
      else if (!e.isFile()) out.push({ path: full, name, skipped: "not a regular file" });
      else {
        if (e.name.startsWith(".")) continue; // .DS_Store and friends
        const st = await lstat(full);
        out.push({ path: full, name, size: st.size });
      }
      if (out.length > maxFiles) throw invalid(`the folder holds more than ${maxFiles} files; register its sub-folders one at a time`, [{ field: "folder", message: `more than ${maxFiles} files` }]);
    }
  }
  return out;
}
