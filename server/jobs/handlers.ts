// What each kind of queued job does. Handlers are the domain's own verbs; the job process only gives them the
// decoding process they may read files with.
import type { ImagingWork } from "../../lib/imaging/work";
import type { JobKind } from "../../lib/jobs/queue";
import { makeManifestFiles } from "../../lib/services/datasets/manifest-files";
import { renderPreviews } from "../../lib/services/datasets/preview-files";
import { makeScanExport } from "../../lib/services/datasets/scan-export";

type Payload = Record<string, unknown>;

export const JOB_HANDLERS: Record<JobKind, (work: ImagingWork, payload: Payload) => Promise<unknown>> = {
  preview: (work, p) => renderPreviews(work, p as { scanId: string }),
  export: (work, p) => makeScanExport(work, p as { scanId: string }),
  manifest: (_work, p) => makeManifestFiles(p as { versionId: string }),
};
