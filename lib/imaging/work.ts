// Decoding work on files someone else controls, as the job process hands it to a separate process with limits
// (server/jobs/decoder-pool.ts): indexing a batch of files, and writing a volume's clean NIfTI export. Services
// that need it take an `ImagingWork`, so nothing in the domain decodes a file on its own process's heap.
import type { ExportSource } from "./export-nifti";
import type { FileProblem } from "./dicom-series";
import type { IndexedVolume, InputFile } from "./index-files";

export type ExportTask = { source: ExportSource; datatype: "int16" | "float32"; target: string };

export type ImagingWork = {
  /** NIfTI files one volume each, DICOM files grouped into series; every file that can't be indexed is a problem. */
  index(files: InputFile[]): Promise<{ volumes: IndexedVolume[]; problems: FileProblem[] }>;
  /** Writes the gzip'd NIfTI export to `target` (a new file); its sha256 and size. */
  exportNifti(task: ExportTask): Promise<{ sha256: string; bytes: number }>;
};
