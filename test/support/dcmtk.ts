// The field's own tools make the test files: dcmtk (Debian's) re-encodes a real series into each transfer syntax,
// and decodes its own lossy encodings, so what the indexer reads is compared with what dcmtk wrote and read.
import { execFile } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** How each variant is made from a native file: a dcmtk tool and its options, or a step of our own after one. */
export const LOSSLESS: Record<string, string[]> = {
  "implicit-le": ["dcmconv", "+ti"],
  "big-endian": ["dcmconv", "+tb"],
  deflated: ["dcmconv", "+td"],
  "bare-implicit": ["dcmconv", "-F", "+ti"], // no preamble, no meta header
  rle: ["dcmcrle"],
  "jpeg-lossless-sv1": ["dcmcjpeg", "+e1"],
  // Process 14 with each other predictor (7 is (Ra + Rb) / 2, where signed samples wrap).
  ...Object.fromEntries([2, 3, 4, 5, 6, 7].map((sv) => [`jpeg-lossless-p14-sv${sv}`, ["dcmcjpeg", "+el", "+sv", String(sv)]])),
  "jpeg-lossless-fragments": ["dcmcjpeg", "+e1", "+fs", "16"], // one frame in several fragments
  "jpeg-ls-lossless": ["dcmcjpls"],
};

/** Lossy variants and the dcmtk tool that decodes each back to native. */
export const LOSSY: Record<string, { make: string[]; decode: string }> = {
  "jpeg-baseline": { make: ["dcmcjpeg", "+eb"], decode: "dcmdjpeg" },
  "jpeg-ls-near-lossless": { make: ["dcmcjpls", "+en", "+md", "2"], decode: "dcmdjpls" },
};

/** Runs `jobs` two at a time (the machine has two cores). */
async function pool(jobs: (() => Promise<unknown>)[]) {
  const queue = [...jobs];
  await Promise.all([0, 1].map(async () => {
    for (let job = queue.shift(); job; job = queue.shift()) await job();
  }));
}

/** `tool args… in out` for every file of `src` into `out`. */
export async function convertAll(src: string, out: string, command: string[], files = readdirSync(src)) {
  mkdirSync(out, { recursive: true });
  const [tool, ...args] = command;
  await pool(files.map((f) => () => run(tool, [...args, path.join(src, f), path.join(out, f)])));
  return out;
}

/** The same files with the 128-byte preamble and "DICM" cut off: the meta header starts the file. */
export function withoutPreamble(src: string, out: string) {
  mkdirSync(out, { recursive: true });
  for (const f of readdirSync(src)) writeFileSync(path.join(out, f), readFileSync(path.join(src, f)).subarray(132));
  return out;
}
