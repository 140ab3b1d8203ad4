// Why one file could not be indexed: a stable code for filters and a sentence for people. Ingestion records it
// against that file and goes on with the rest.
export type ImagingErrorCode =
  | "empty"
  | "truncated"
  | "not_a_volume"
  | "unsupported"
  | "bad_geometry"
  | "too_large"
  | "inflation_limit"
  | "not_ct"
  | "series_inconsistent"
  | "missing_slices"
  | "unreadable"
  /** Limits of the decoding process (lib/imaging/work.ts): time, memory, or the process itself stopping. */
  | "time_limit"
  | "memory_limit"
  | "decoder_failed";

export class ImagingError extends Error {
  constructor(public readonly code: ImagingErrorCode, message: string) {
    super(message);
  }
}

export function asImagingError(e: unknown) {
  return e instanceof ImagingError ? e : new ImagingError("unreadable", (e as Error)?.message ?? String(e));
}

export const MAX_AXIS = 4096;
/** 2^31 voxels: 4 GiB of int16, beyond any CT volume (512 × 512 × 3000 is 786 M). */
export const MAX_VOXELS = 2 ** 31;
