// Decoding under limits (server/jobs/decoder-pool.ts): files that lie are refused with their code before they are
// decoded; a decode over its memory or time limit is killed and reported as that file's error; and the next file
// always gets a working decoder.
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DecoderPool } from "../../server/jobs/decoder-pool";
import { writeHostileFiles, type Hostile } from "../support/hostile-files";

const CT = path.resolve(import.meta.dirname, "../fixtures/ct");
const tmp = mkdtempSync(path.join(os.tmpdir(), "hounsfield-hostile-"));
let hostile: Hostile[] = [];
beforeAll(async () => {
  hostile = await writeHostileFiles(tmp, { slices: 300, inflatedMb: 64 });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const input = (p: string) => ({ path: p, size: statSync(p).size });
const filesOf = (p: string) => (statSync(p).isDirectory() ? readdirSync(p).map((f) => input(path.join(p, f))) : [input(p)]);
const siemens = () => filesOf(path.join(CT, "dicom-series-siemens-petct-j2k")).filter((f) => !f.path.endsWith(".txt"));
const good = () => [input(path.join(CT, "example_ct_sm.nii.gz"))];

describe("the decoding process", () => {
  it("refuses every hostile file with its own code, indexes the valid series of many tiny slices, and keeps one process", async () => {
    const pool = new DecoderPool({ memoryMb: 1024, timeoutMs: 60_000 });
    try {
      for (const h of hostile) {
        const r = await pool.index(filesOf(path.join(tmp, h.name)));
        if (h.code === "indexed") {
          expect(r.problems).toEqual([]);
          expect(r.volumes[0].dims).toEqual([8, 8, 300]);
        } else {
          expect({ file: h.name, code: r.problems[0]?.error.code }).toEqual({ file: h.name, code: h.code });
          expect(r.volumes).toEqual([]);
        }
      }
      // Nothing needed killing: every lie was caught before decoding.
      expect(pool.started).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it("a decode over its memory limit is killed and is that batch's error; the next file gets a new process", async () => {
    // Measured: the NIfTI peaks near 86 MiB, the JPEG 2000 series near 139 MiB (OpenJPEG in WebAssembly).
    const pool = new DecoderPool({ memoryMb: 112, timeoutMs: 60_000 });
    try {
      const r = await pool.index(siemens());
      expect(r.volumes).toEqual([]);
      expect(r.problems.map((p) => p.error.code)).toEqual(r.problems.map(() => "memory_limit"));
      expect(r.problems[0].error.message).toMatch(/more than the 112 MiB/);
      expect(r.problems).toHaveLength(siemens().length);
      const next = await pool.index(good());
      expect(next.volumes).toHaveLength(1);
      expect(pool.started).toBe(2);
    } finally {
      await pool.close();
    }
  });

  it("a decode over its time limit is killed and reported; a decoder killed from outside is reported too", async () => {
    const slow = new DecoderPool({ memoryMb: 1024, timeoutMs: 40 });
    try {
      const r = await slow.index(siemens());
      expect(r.problems[0].error).toMatchObject({ code: "time_limit", message: "decoding took longer than 0.04 s" });
    } finally {
      await slow.close();
    }
    const pool = new DecoderPool({ memoryMb: 1024, timeoutMs: 60_000 });
    try {
      expect((await pool.index(good())).volumes).toHaveLength(1);
      const pending = pool.index(siemens());
      // The process that is decoding dies (an OOM killer, an operator): the batch says so.
      const pid = (pool as unknown as { child: { pid: number } }).child.pid;
      process.kill(pid, "SIGKILL");
      const r = await pending;
      expect(r.problems[0].error).toMatchObject({ code: "decoder_failed" });
      expect(r.problems[0].error.message).toMatch(/SIGKILL/);
      expect((await pool.index(good())).volumes).toHaveLength(1);
    } finally {
      await pool.close();
    }
  });

  it("exports a volume to a new file and reports its sha256; refuses to overwrite one", async () => {
    const pool = new DecoderPool({ memoryMb: 1024, timeoutMs: 60_000 });
    try {
      const [v] = (await pool.index(good())).volumes;
      const target = path.join(tmp, "export.nii.gz");
      const task = { source: { format: v.format, files: v.files, dims: v.dims, spacing: v.spacing, affine: v.affine }, datatype: "int16" as const, target };
      const out = await pool.exportNifti(task);
      expect(out.bytes).toBe(statSync(target).size);
      expect(out.sha256).toMatch(/^[0-9a-f]{64}$/);
      await expect(pool.exportNifti(task)).rejects.toThrow(/EEXIST|exists/);
    } finally {
      await pool.close();
    }
  });
});
