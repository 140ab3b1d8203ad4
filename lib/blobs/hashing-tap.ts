// A pass-through stream that hashes (sha256) and counts what flows through it: put it in a pipeline before the
// file a blob is written to, and its digest is known without reading the file again.
import { createHash } from "node:crypto";
import { Transform } from "node:stream";

export function hashingTap() {
  const hash = createHash("sha256");
  let bytes = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _e, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  return { stream, digest: () => hash.digest("hex"), bytes: () => bytes };
}
