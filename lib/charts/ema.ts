// TensorBoard's debiased exponential moving average. Plain EMA starts from 0 and so drags the first values
// towards it; dividing by 1 - w^n (n = finite points seen) removes that start-up bias, which is why the first
// smoothed value equals the first raw one.

export const MAX_SMOOTHING = 0.99;

/** A weight the smoother accepts: [0, MAX_SMOOTHING]; anything else (NaN, negative) means no smoothing. */
export function clampSmoothing(weight: number): number {
  if (!Number.isFinite(weight) || weight <= 0) return 0;
  return Math.min(weight, MAX_SMOOTHING);
}

/**
 * Non-finite or null inputs give null at their index and leave the running average untouched, so a NaN shows
 * as a gap in the smoothed line instead of poisoning every later value.
 */
export function smoothEma(values: readonly (number | null)[], weight: number): (number | null)[] {
  const w = clampSmoothing(weight);
  const out: (number | null)[] = new Array(values.length);
  let last = 0;
  let seen = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || !Number.isFinite(v)) {
      out[i] = null;
      continue;
    }
    if (w === 0) {
      out[i] = v;
      continue;
    }
    last = last * w + (1 - w) * v;
    seen++;
    out[i] = last / (1 - w ** seen);
  }
  return out;
}
