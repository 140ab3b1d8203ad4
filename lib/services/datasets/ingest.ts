// Background indexing of a dataset version's files. A job is claimed by one server at a time (a lock that lapses
// when that server stops, so another takes it up); a file becomes DONE in the same transaction that stores its
// volume, so a job resumed after a crash reads only what was not finished and stores nothing twice. A bad file
// is recorded as FAILED with its reason and the job goes on.
import "server-only";
import { randomUUID } from "node:crypto";
import { open, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { identifiableFlags, MAX_REPORT_BYTES, parseReportsCsv, reportKey, scanKey } from "../../datasets/reports";
import { walkFolder } from "../../datasets/server-folders";
import { db, type Tx } from "../../db/client";
import { sqlRows } from "../../db/sql";
import { env } from "../../env";
import { ImagingError } from "../../imaging/imaging-error";
import { fileKind, indexDicomFiles, indexOneNifti, type IndexedVolume } from "../../imaging/index-files";
import { asImagingError } from "../../imaging/dicom";
import { savePlanes } from "./previews";
import { makeTrainFile } from "./train-files";

const lockMs = () => env().INGEST_LOCK_SECONDS * 1000;
const INSERT_BATCH = 1000;

export const RUNNER_ID = `${process.pid}-${randomUUID().slice(0, 8)}`;

type JobRow = { id: string; datasetVersionId: string; source: string; folder: string | null; listed: boolean };

/** Takes the oldest job that is queued or whose runner's lock lapsed. */
export async function claimIngestJob(runner = RUNNER_ID): Promise<JobRow | null> {
  // A file whose upload finished just as its job was marked done waits in a finished job: queue it again.
  await sqlRows(
    db as unknown as Tx,
    `UPDATE "IngestJob" j SET status = 'QUEUED', "finishedAt" = NULL
      WHERE j.status = 'DONE' AND EXISTS (SELECT 1 FROM "IngestFile" f WHERE f."jobId" = j.id AND f.status = 'PENDING') RETURNING j.id`,
  );
  const rows = await sqlRows<JobRow>(
    db as unknown as Tx,
    `UPDATE "IngestJob" SET status = 'RUNNING', "lockedBy" = $1, "lockedUntil" = now() + $2 * interval '1 millisecond',
            "startedAt" = COALESCE("startedAt", now())
      WHERE id = (SELECT id FROM "IngestJob"
                   WHERE status IN ('QUEUED', 'RUNNING') AND ("lockedUntil" IS NULL OR "lockedUntil" < now())
                   ORDER BY "createdAt" LIMIT 1 FOR UPDATE SKIP LOCKED)
      RETURNING id, "datasetVersionId", source, folder, listed`,
    [runner, lockMs()],
  );
  return rows[0] ?? null;
}

class LostLock extends Error {}

/** Extends this runner's lock; false when the job was cancelled or another runner holds it. */
async function renew(jobId: string, runner: string) {
  const n = await db.ingestJob.updateMany({
    where: { id: jobId, lockedBy: runner, status: "RUNNING" },
    data: { lockedUntil: new Date(Date.now() + lockMs()) },
  });
  return n.count === 1;
}

/** Lists a folder job's files into IngestFile rows (once), skipping files the version already has. */
async function listFiles(job: JobRow) {
  const found = await walkFolder(job.folder!, env().INGEST_MAX_FILES);
  for (let i = 0; i < found.length; i += INSERT_BATCH) {
    const batch = found.slice(i, i + INSERT_BATCH);
    await db.ingestFile.createMany({
      skipDuplicates: true,
      data: batch.map((f) => ({
        jobId: job.id,
        datasetVersionId: job.datasetVersionId,
        path: f.path,
        name: f.name,
        size: "size" in f ? BigInt(f.size) : 0n,
        ...("skipped" in f ? { status: "FAILED" as const, errorCode: "skipped", error: f.skipped } : {}),
      })),
    });
  }
  await refreshCounts(job.id, { listed: true });
}

/** Totals from the file rows themselves, so a resumed job's counts are right whatever happened before. */
async function refreshCounts(jobId: string, extra: { listed?: boolean } = {}, on: Tx = db as unknown as Tx) {
  const [c] = await sqlRows<{ total: number; done: number; failed: number; bytes: bigint; done_bytes: bigint }>(
    on,
    `SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'DONE')::int AS done, count(*) FILTER (WHERE status = 'FAILED')::int AS failed,
            COALESCE(sum(size), 0)::bigint AS bytes, COALESCE(sum(size) FILTER (WHERE status IN ('DONE', 'FAILED')), 0)::bigint AS done_bytes
       FROM "IngestFile" WHERE "jobId" = $1`,
    [jobId],
  );
  await on.ingestJob.update({
    where: { id: jobId },
    data: { ...extra, totalFiles: c.total, doneFiles: c.done, failedFiles: c.failed, totalBytes: c.bytes, doneBytes: c.done_bytes },
  });
}

/** A Scan row's fields for an indexed volume. */
export function scanData(versionId: string, v: IndexedVolume) {
  const tags = v.tags;
  return {
    datasetVersionId: versionId,
    path: v.files[0],
    files: v.files,
    fileSha256: v.fileSha256,
    sha256: v.sha256,
    voxelHash: v.voxelHash,
    format: v.format,
    bytes: BigInt(v.bytes),
    dims: v.dims,
    spacing: v.spacing,
    affine: v.affine.flat(),
    orientation: v.orientation,
    datatype: v.datatype,
    huMin: v.huMin,
    huMax: v.huMax,
    huP1: v.huP1,
    huP99: v.huP99,
    huMean: v.huMean,
    huHistogram: v.huHistogram,
    looksLikeHu: v.looksLikeHu,
    warnings: v.warnings,
    seriesTags: tags ? { ...tags, patientId: undefined, studyUid: undefined, seriesUid: undefined } : undefined,
    patientId: tags?.patientId ?? null,
    studyUid: tags?.studyUid ?? null,
    deidentified: v.deidentified,
  };
}

type FileRow = { id: string; path: string; size: bigint; name: string };

/** Stores a volume and marks its files DONE, in one transaction. */
async function storeVolume(job: JobRow, v: IndexedVolume, rows: FileRow[]) {
  // A series' NIfTI for the trainer is made first, so a stored scan is always trainable.
  const train = await makeTrainFile(job.datasetVersionId, v);
  const scan = await db.$transaction(async (tx) => {
    const data = { ...scanData(job.datasetVersionId, v), ...train };
    const row = await tx.scan.upsert({ where: { datasetVersionId_path: { datasetVersionId: job.datasetVersionId, path: data.path } }, create: data, update: {} });
    await tx.ingestFile.updateMany({ where: { id: { in: rows.map((r) => r.id) }, status: "PENDING" }, data: { status: "DONE", scanId: row.id, errorCode: null, error: null } });
    return row;
  });
  // The previews' planes: derived data, rebuilt from the file if this write is lost.
  await savePlanes(scan.id, v.planes).catch(() => undefined);
}

async function markFailed(row: FileRow, e: ImagingError) {
  await db.ingestFile.updateMany({ where: { id: row.id, status: "PENDING" }, data: { status: "FAILED", errorCode: e.code, error: e.message.slice(0, 1000) } });
}

function fileSignal() {
  return AbortSignal.timeout(env().INGEST_FILE_TIMEOUT_SECONDS * 1000);
}

function timeoutError(e: unknown) {
  return (e as Error)?.name === "TimeoutError" ? new ImagingError("unreadable", `indexing took longer than ${env().INGEST_FILE_TIMEOUT_SECONDS} s`) : asImagingError(e);
}

/** Runs one claimed job to its end (or until its lock is lost or it is cancelled). */
export async function runIngestJob(job: JobRow, runner = RUNNER_ID) {
  try {
    if (!job.listed && job.folder) await listFiles(job);
    // Uploads keep adding files to their job while it runs: go round until none is waiting.
    // A round that changes nothing (a series waiting for the rest of its upload) ends this run; the job is
    // taken up again while files of it are pending.
    for (let before = -1; ; ) {
      const more = await db.ingestFile.count({ where: { jobId: job.id, status: "PENDING" } });
      if (!more || more === before) break;
      before = more;
      await indexPending(job, runner);
    }
    await db.$transaction(async (tx) => {
      await refreshCounts(job.id, {}, tx);
      await tx.ingestJob.updateMany({ where: { id: job.id, lockedBy: runner, status: "RUNNING" }, data: { status: "DONE", finishedAt: new Date(), lockedBy: null, lockedUntil: null } });
    });
  } catch (e) {
    if (e instanceof LostLock) return; // cancelled, or another server took it over
    const message = (e as Error).message ?? String(e);
    await db.ingestJob.updateMany({ where: { id: job.id, lockedBy: runner }, data: { status: "FAILED", error: message.slice(0, 1000), finishedAt: new Date(), lockedBy: null, lockedUntil: null } });
  }
}

/** One round over the job's waiting files: NIfTI one by one, DICOM by folder, then reports. */
async function indexPending(job: JobRow, runner: string) {
  const pending = await db.ingestFile.findMany({ where: { jobId: job.id, status: "PENDING" }, select: { id: true, path: true, size: true, name: true }, orderBy: { path: "asc" } });
  // Reports are attached once the volumes they belong to are stored.
  const reports: FileRow[] = [];
  // DICOM series are assembled per folder (a series lives in one folder in every layout we know of).
  const dicomByDir = new Map<string, FileRow[]>();
  let deferred = false;
  let sinceCount = 0;
  for (const row of pending) {
    if (!(await renew(job.id, runner))) throw new LostLock();
    const input = { path: row.path, size: Number(row.size) };
    if (/\.txt$/i.test(row.name) || /(^|\/)reports\.csv$/i.test(row.name)) {
      reports.push(row);
      continue;
    }
    try {
      const kind = input.size === 0 ? "empty" : await fileKind(input);
      if (kind === "empty") throw new ImagingError("empty", "the file is empty");
      if (kind === "unknown") throw new ImagingError("not_a_volume", "neither NIfTI (.nii, .nii.gz) nor DICOM");
      if (kind === "dicom") {
        const dir = path.dirname(row.path);
        dicomByDir.set(dir, [...(dicomByDir.get(dir) ?? []), row]);
        continue;
      }
      await storeVolume(job, await indexOneNifti(input, fileSignal()), [row]);
    } catch (e) {
      if (e instanceof LostLock) throw e;
      await markFailed(row, e instanceof ImagingError ? e : timeoutError(e));
    }
    if (++sinceCount >= 20) {
      sinceCount = 0;
      await refreshCounts(job.id);
    }
  }
  for (const [dir, fresh] of dicomByDir) {
    if (!(await renew(job.id, runner))) throw new LostLock();
    // A series still arriving (an upload of its folder under way) waits; it is indexed once complete.
    const folder = path.posix.dirname(fresh[0].name.split(path.sep).join("/"));
    const arriving = await db.ingestFile.count({ where: { datasetVersionId: job.datasetVersionId, status: "UPLOADING", name: { startsWith: folder === "." ? "" : `${folder}/` } } });
    if (arriving) {
      deferred = true;
      continue;
    }
    // Slices that arrived in earlier rounds belong to the same series: the folder is indexed again as a whole
    // (in a draft, before anyone trained on it), replacing the volumes made from part of it.
    const earlier = await db.ingestFile.findMany({
      where: { datasetVersionId: job.datasetVersionId, status: { in: ["DONE", "FAILED"] }, path: { startsWith: `${dir}${path.sep}` }, id: { notIn: fresh.map((r) => r.id) } },
      select: { id: true, path: true, size: true, name: true, scanId: true },
    });
    const siblings = earlier.filter((r) => path.dirname(r.path) === dir && !/\.(nii|nii\.gz|txt|csv)$/i.test(r.name));
    if (siblings.length) {
      const scanIds = [...new Set(siblings.map((r) => r.scanId).filter((x): x is string => !!x))];
      await db.$transaction(async (tx) => {
        await tx.ingestFile.updateMany({ where: { id: { in: siblings.map((r) => r.id) } }, data: { status: "PENDING", scanId: null, errorCode: null, error: null } });
        // Reports paired with the replaced volumes are paired again with the new one.
        if (scanIds.length) {
          await tx.ingestFile.updateMany({ where: { scanId: { in: scanIds }, id: { notIn: siblings.map((r) => r.id) } }, data: { status: "PENDING", scanId: null, jobId: job.id } });
          await tx.scan.deleteMany({ where: { id: { in: scanIds }, datasetVersionId: job.datasetVersionId } });
        }
      });
    }
    const rows = [...fresh, ...siblings];
    const byPath = new Map(rows.map((r) => [r.path, r]));
    try {
      const { volumes, problems } = await indexDicomFiles(rows.map((r) => ({ path: r.path, size: Number(r.size) })), fileSignal());
      for (const v of volumes) await storeVolume(job, v, v.files.map((f) => byPath.get(f)!));
      for (const p of problems) await markFailed(byPath.get(p.file)!, p.error);
    } catch (e) {
      for (const r of rows) await markFailed(r, timeoutError(e));
    }
    await refreshCounts(job.id);
  }
  // Reports wait for every volume they could belong to (a series still arriving included).
  if (reports.length && !deferred) await attachReports(job, reports);
  await refreshCounts(job.id);
}

/** A server shutting down lets go of its jobs, so the next server (or another replica) resumes them at once. */
export async function releaseIngestLocks(runner = RUNNER_ID) {
  await db.ingestJob.updateMany({ where: { lockedBy: runner, status: "RUNNING" }, data: { lockedUntil: new Date(0) } });
}

/** Claims and runs jobs until none is waiting; returns how many it ran. */
export async function drainIngestJobs(runner = RUNNER_ID) {
  let n = 0;
  for (let job = await claimIngestJob(runner); job; job = await claimIngestJob(runner)) {
    await runIngestJob(job, runner);
    n++;
  }
  return n;
}

/** Pairs report files with the version's scans (see lib/datasets/reports.ts for the layouts), screens each. */
async function attachReports(job: JobRow, rows: FileRow[]) {
  const files = await db.ingestFile.findMany({ where: { datasetVersionId: job.datasetVersionId, status: "DONE", scanId: { not: null } }, select: { name: true, scanId: true } });
  const byKey = new Map<string, string>();
  for (const f of files) {
    byKey.set(scanKey(f.name), f.scanId!); // a NIfTI file, or one DICOM slice
    byKey.set(path.posix.dirname(f.name.split(path.sep).join("/")).toLowerCase(), f.scanId!); // a series' folder
  }
  const attach = async (row: FileRow, scanId: string | undefined, text: string | null, missing: string) => {
    if (!scanId || text === null) return markFailed(row, new ImagingError("not_a_volume", missing));
    const body = text.slice(0, MAX_REPORT_BYTES);
    await db.$transaction(async (tx) => {
      await tx.scan.update({ where: { id: scanId }, data: { hasReport: true, reportText: body, reportFlags: identifiableFlags(body) } });
      await tx.ingestFile.updateMany({ where: { id: row.id, status: "PENDING" }, data: { status: "DONE", scanId } });
    });
  };
  const readText = async (file: string) => {
    const st = await stat(file).catch(() => null);
    if (!st?.isFile()) return null;
    const fh = await open(file, "r");
    try {
      const buf = Buffer.alloc(Math.min(st.size, MAX_REPORT_BYTES));
      await fh.read(buf, 0, buf.length, 0);
      return buf.toString("utf8");
    } finally {
      await fh.close();
    }
  };
  for (const row of rows) {
    const rel = row.name.split(path.sep).join("/");
    try {
      if (/(^|\/)reports\.csv$/i.test(rel)) {
        if (Number(row.size) > 64 * 2 ** 20) throw new Error("reports.csv is larger than 64 MiB");
        const entries = parseReportsCsv(await readFile(row.path, "utf8"));
        let attached = 0;
        const unmatched: string[] = [];
        const base = path.dirname(row.path);
        for (const e of entries) {
          const key = scanKey(e.scan.replace(/\\/g, "/").replace(/^\.\//, ""));
          const scanId = byKey.get(key) ?? byKey.get(scanKey(path.posix.join(path.posix.dirname(rel), e.scan)));
          // A report file named in the CSV is read only from beside the CSV, never through '..' or an absolute path.
          const safe = e.file && !path.isAbsolute(e.file) && !e.file.split(/[\\/]/).includes("..") ? path.join(base, e.file) : null;
          const text = e.report ?? (safe ? await readText(safe) : null);
          if (!scanId || text === null) {
            unmatched.push(e.scan);
            continue;
          }
          await db.scan.update({ where: { id: scanId }, data: { hasReport: true, reportText: text.slice(0, MAX_REPORT_BYTES), reportFlags: identifiableFlags(text) } });
          attached++;
        }
        if (unmatched.length && !attached) throw new Error(`no row of reports.csv names an indexed scan (first: ${unmatched[0].slice(0, 200)})`);
        await db.ingestFile.updateMany({ where: { id: row.id, status: "PENDING" }, data: { status: "DONE", error: unmatched.length ? `${unmatched.length} row(s) name no indexed scan, e.g. ${unmatched[0].slice(0, 200)}` : null } });
        continue;
      }
      const key = reportKey(rel);
      const scanId = byKey.get(key) ?? (path.posix.basename(key) === "report" ? byKey.get(path.posix.dirname(key)) : undefined);
      await attach(row, scanId, await readText(row.path), `a text file with no scan of the same name (a report is <scan>.txt beside the scan, report.txt in a DICOM series' folder, or a row of reports.csv)`);
    } catch (e) {
      await markFailed(row, e instanceof ImagingError ? e : new ImagingError("unreadable", (e as Error).message));
    }
  }
}
