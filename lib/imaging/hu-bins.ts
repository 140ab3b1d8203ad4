// The coarse HU histogram every indexed volume keeps (Scan.huHistogram): bins of HU_BIN_WIDTH from HU_BIN_LOW, the
// ends holding everything beyond.
export const HU_BIN_LOW = -1024;
export const HU_BIN_WIDTH = 64;
export const HU_BINS = 64;
