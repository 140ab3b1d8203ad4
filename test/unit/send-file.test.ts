import { createHash, randomBytes } from "node:crypto";
import { createReadStream, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { fileOf, sendFile } from "@/lib/http/send-file";

const dir = mkdtempSync(path.join(os.tmpdir(), "send-file-"));
const data = randomBytes(3 * (1 << 20) + 12345);
const file = path.join(dir, "f.bin");
writeFileSync(file, data);

/** A slow socket: each write completes later, so reused buffers would show up as corrupted bytes. */
function slowSink() {
  const parts: Buffer[] = [];
  const out = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _enc, cb) {
      parts.push(Buffer.from(chunk)); // copied when the write completes, as the kernel would
      setTimeout(cb, 2);
    },
  });
  return { out, bytes: () => Buffer.concat(parts) };
}

describe("sendFile", () => {
  it("sends a whole file and any range byte for byte through its two reused buffers", async () => {
    for (const [start, end] of [[0, Infinity], [0, data.length - 1], [10, 2 * (1 << 20) + 7], [(1 << 20) - 1, 1 << 20], [data.length - 1, data.length - 1]] as const) {
      const sink = slowSink();
      await sendFile(sink.out, { path: file, start, end });
      const want = data.subarray(start, Number.isFinite(end) ? end + 1 : undefined);
      expect(createHash("sha256").update(sink.bytes()).digest("hex")).toBe(createHash("sha256").update(want).digest("hex"));
      expect(sink.out.writableEnded).toBe(true);
    }
  });

  it("stops when the client goes away", async () => {
    const out = new PassThrough({ highWaterMark: 1 });
    setTimeout(() => out.destroy(), 5);
    await sendFile(out, { path: file, start: 0, end: Infinity });
    expect(out.destroyed).toBe(true);
  });

  it("reads a ReadStream's file and range, and only before it was read", async () => {
    const s = createReadStream(file, { start: 5, end: 99 });
    expect(fileOf(s)).toMatchObject({ path: file, start: 5, end: 99 });
    s.destroy();
    const whole = createReadStream(file);
    expect(fileOf(whole)).toMatchObject({ start: 0, end: Infinity });
    for await (const _ of whole) break;
    expect(fileOf(whole)).toBeNull();
  });
});
