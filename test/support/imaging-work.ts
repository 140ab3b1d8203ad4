// The decoding process the job process uses (server/jobs/decoder-pool.ts), for tests that index or export files:
// the real child process with its limits, one per test file, closed after it.
import { afterAll } from "vitest";
import { DecoderPool, type DecoderLimits } from "../../server/jobs/decoder-pool";

export function useImagingWork(limits: DecoderLimits = { memoryMb: 1024, timeoutMs: 120_000 }) {
  const pool = new DecoderPool(limits);
  afterAll(() => pool.close());
  return pool;
}
