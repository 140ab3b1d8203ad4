// What the job process and its decoding process say to each other over IPC (structured clone: typed arrays pass as
// they are).
import type { InputFile } from "../../lib/imaging/index-files";
import type { ExportTask } from "../../lib/imaging/work";

export type DecoderTask = { id: number; op: "index"; files: InputFile[] } | { id: number; op: "export"; task: ExportTask };

export type DecoderReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; code: string; message: string };
