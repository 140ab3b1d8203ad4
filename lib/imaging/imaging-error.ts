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

export const IMAGING_ERROR_CODES: readonly ImagingErrorCode[] = ["empty", "truncated", "not_a_volume", "unsupported", "bad_geometry", "too_large", "inflation_limit", "not_ct", "series_inconsistent", "missing_slices", "unreadable", "time_limit", "memory_limit", "decoder_failed"];

export class ImagingError extends Error {
  constructor(public readonly code: ImagingErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Any failure as a coded error with a sentence. Something the readers did not foresee keeps its own text only as
 * the cause (for logs): a runtime exception's words ("x.copy is not a function") say nothing to a person. */
export function asImagingError(e: unknown) {
  if (e instanceof ImagingError) return e;
  const system = (e as { code?: unknown })?.code;
  if (typeof system === "string" && /^E[A-Z]+$/.test(system)) {
    return new ImagingError("unreadable", SYSTEM[system] ?? `the file could not be read or written (${system})`, { cause: e });
  }
  return new ImagingError("unreadable", "the file could not be read: its contents are malformed in a way the reader does not recognise", { cause: e });
}

/** The file system's refusals, said plainly (their own text carries paths and errno names). */
const SYSTEM: Record<string, string> = {
  ENOENT: "the file is gone: it was moved or deleted",
  EACCES: "the file cannot be opened: permission denied",
  EPERM: "the file cannot be opened: permission denied",
  EISDIR: "a folder where a file was expected",
  EEXIST: "the file to write already exists",
  ENOSPC: "the disk is full",
};

export const MAX_AXIS = 4096;
/** 2^31 voxels: 4 GiB of int16, beyond any CT volume (512 × 512 × 3000 is 786 M). */
export const MAX_VOXELS = 2 ** 31;
