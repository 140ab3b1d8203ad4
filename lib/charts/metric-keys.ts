// Which charts a run shows and in what order: system metrics (`sys/…`) have their own tab, and keys group by
// their prefix (`train/loss` and `train/lr` share a section) the way W&B and TensorBoard group them.

export const SYSTEM_PREFIX = "sys/";

export type KeyGroup = { name: string; keys: string[] };

export function isSystemKey(key: string): boolean {
  return key.startsWith(SYSTEM_PREFIX);
}

export function groupMetricKeys(keys: readonly string[], system: boolean): KeyGroup[] {
  const groups = new Map<string, string[]>();
  for (const key of [...new Set(keys)].filter((k) => isSystemKey(k) === system).sort(byText)) {
    const name = key.includes("/") ? key.slice(0, key.lastIndexOf("/")) : "";
    groups.set(name, [...(groups.get(name) ?? []), key]);
  }
  return [...groups.entries()].sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : byText(a, b))).map(([name, list]) => ({ name, keys: list }));
}

/** Pixel widths go to the server in 40 px steps so a window being resized does not refetch on every frame. */
export function requestWidth(measured: number): number {
  if (measured <= 0) return 0;
  return Math.min(8000, Math.max(40, Math.ceil(measured / 40) * 40));
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
