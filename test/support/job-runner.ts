// A job runner beside the tests, as the job process runs one (server/jobs/job-process.ts): for services that wait on
// work the job process does (release files, previews, exports, manifests). Started before the file's tests, stopped
// after them, with the real decoding process.
import { afterAll, beforeAll } from "vitest";
import { runOneJob } from "../../server/jobs/job-process";
import { useImagingWork } from "./imaging-work";

export function useJobRunner() {
  const work = useImagingWork();
  let stop = false;
  let done: Promise<void> = Promise.resolve();
  beforeAll(() => {
    done = (async () => {
      while (!stop) if (!(await runOneJob(work, `test-job-runner-${process.pid}`).catch(() => false))) await new Promise((r) => setTimeout(r, 20));
    })();
  });
  afterAll(async () => {
    stop = true;
    await done;
  });
  return work;
}
