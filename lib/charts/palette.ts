// Twenty mid-lightness hues that stay distinct on both the light and the dark card, in an order where
// neighbours contrast, so the first few runs of a comparison are easiest to tell apart.
export const SERIES_COLORS = [
  "#3b82f6", "#f97316", "#10b981", "#e11d48", "#8b5cf6", "#ca8a04", "#06b6d4", "#db2777", "#65a30d", "#6366f1",
  "#ea580c", "#0d9488", "#a855f7", "#dc2626", "#0284c7", "#84cc16", "#c026d3", "#d97706", "#14b8a6", "#7c3aed",
] as const;

export function seriesColor(index: number): string {
  return SERIES_COLORS[((index % SERIES_COLORS.length) + SERIES_COLORS.length) % SERIES_COLORS.length];
}
