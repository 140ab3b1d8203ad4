// A dataset file is read long after it was indexed: by a run's worker, the viewer's export, a preview. Whoever
// controls the folder can meanwhile swap it (for a link, for another file of the same size). So indexing records
// the files' identity (size, modification time, inode, device: one digest for a whole series), and every later
// read checks it first; a file that changed, or that no longer sits inside an allowed place, is refused with 409.
import "server-only";
import { createHash } from "node:crypto";
import { open, realpath } from "node:fs/promises";
import path from "node:path";
import { READ_FLAGS } from "../http/open-flags";
import { dataDir } from "../env";
import { DomainError } from "../errors";
import { sampleFile } from "./sample-file";
import { allowedRoots } from "./server-folders";

/** The files' identity, opened as indexing opens them (never through a final link). */
export async function fileStamp(files: string[]): Promise<string> {
  const h = createHash("sha256");
  for (const f of files) {
    const fh = await open(f, READ_FLAGS);
    try {
      const st = await fh.stat({ bigint: true });
      if (!st.isFile()) throw new Error("not a regular file");
      h.update(`${st.size}:${st.mtimeNs}:${st.ino}:${st.dev}\n`);
    } finally {
      await fh.close();
    }
  }
  return h.digest("hex");
}

export class FileChangedError extends DomainError {
  constructor(detail: string) {
    super(`This volume's file changed since indexing (${detail}); index it again to use it`, 409, "Changed since indexing");
  }
}

const within = (file: string, dir: string) => file === dir || file.startsWith(dir + path.sep);

/** Refuses files that left the allowed places (a folder on the way swapped for a link) or changed since indexing.
 * `stamp` null: indexed before identities were kept, so only the sizes are compared. */
export async function assertUnchanged(files: string[], stamp: string | null, sizes?: number[]) {
  const places = [path.join(dataDir(), "blobs"), path.dirname(sampleFile()), ...allowedRoots()];
  const realPlaces = await Promise.all(places.map((p) => realpath(p).catch(() => null)));
  for (const [i, f] of files.entries()) {
    const dir = await realpath(path.dirname(f)).catch(() => null);
    if (!dir) throw new FileChangedError("its folder is gone");
    if (!realPlaces.some((p) => p && within(path.join(dir, path.basename(f)), p))) throw new FileChangedError("it is no longer inside an allowed dataset folder");
    if (!stamp && sizes) {
      const fh = await open(f, READ_FLAGS).catch(() => null);
      const size = fh ? (await fh.stat()).size : null;
      await fh?.close();
      if (size !== sizes[i]) throw new FileChangedError(size === null ? "it is gone or became a link" : "its size differs");
    }
  }
  if (stamp) {
    const now = await fileStamp(files).catch(() => null);
    if (now !== stamp) throw new FileChangedError(now === null ? "it is gone or became a link" : "it was replaced or rewritten");
  }
}
