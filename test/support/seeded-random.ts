/** A small seeded generator (an LCG): property tests that fail can be replayed with the same seed. */
export function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}
