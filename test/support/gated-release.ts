// A published release made the way people make one (a run, its checkpoint, create, publish), and requests to it.
// Creating one waits on the job process: test files using this start a runner (test/support/job-runner.ts).
import type { ServiceContext } from "../../lib/audit/record-audit";
import { ZCreateRelease, ZPublish, ZRequestAccess, ZUpdateRelease } from "../../lib/schemas/release";
import { requestAccess } from "../../lib/services/releases/access-requests";
import { createRelease, publishRelease, updateRelease } from "../../lib/services/releases/create-release";
import { makeCheckpoint } from "./checkpoints";
import { makeRun } from "./runs";

let n = 0;

export async function publishedRelease(owner: { ctx: ServiceContext }, opts: { policy?: "OPEN" | "GATED" | "PRIVATE"; autoApprove?: { roles?: string[]; domains?: string[] } } = {}) {
  const run = await makeRun(owner.ctx, { gpus: 0 });
  await makeCheckpoint(run.id, 10);
  const r = await createRelease(owner.ctx, ZCreateRelease.parse({ runId: run.id, step: 10, name: `gated-${n++}-${run.id.slice(-6)}`, version: "1.0.0", license: "CC BY 4.0", policy: opts.policy ?? "GATED", terms: "Research use." }));
  await publishRelease(owner.ctx, r.id, ZPublish.parse({}));
  if (opts.autoApprove) await updateRelease(owner.ctx, r.id, ZUpdateRelease.parse({ autoApprove: opts.autoApprove }));
  return { run, r };
}

export const askForAccess = (releaseId: string, who: { ctx: ServiceContext }) =>
  requestAccess(who.ctx, releaseId, ZRequestAccess.parse({ institution: "University Hospital", role: "radiologist", intendedUse: "fine-tune for liver lesion segmentation", acceptTerms: true, termsVersion: "1" }));
