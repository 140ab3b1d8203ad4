// Background indexing of a dataset version's files. A job is claimed by one server at a time (a lock that lapses
// when that server stops, so another takes it up); a file becomes DONE in the same transaction that stores its
// volume, so a job resumed after a crash reads only what was not finished and stores nothing twice. A bad file
// is recorded as FAILED with its reason and the job goes on.
import "server-only";
import { randomUUID } from "node:crypto";
import { open, realpath } from "node:fs/promises";
import path from "node:path";
import { identifiableFlags, MAX_REPORT_BYTES, readReportsCsv, reportKey, scanKey } from "../../datasets/reports";
import { READ_FLAGS } from "../../http/open-flags";
import { walkFolder } from "../../datasets/server-folders";
import { db, type Tx } from "../../db/client";
import { sqlRows } from "../../db/sql";
import { env } from "../../env";
import { asImagingError, ImagingError } from "../../imaging/imaging-error";
import { fileKind, type IndexedVolume } from "../../imaging/index-files";
import type { ImagingWork } from "../../imaging/work";
import { fileStamp } from "../../datasets/file-identity";
import { savePlanes } from "./preview-files";
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

/** Stores a volume and marks its files DONE, in one transaction. `stamp`: the files' identity when they were read
 * (lib/datasets/file-identity.ts), so a file swapped afterwards is refused when it is served. */
async function storeVolume(job: Running, v: IndexedVolume, rows: FileRow[], stamp: string) {
  // A series' NIfTI for the trainer is made first, so a stored scan is always trainable.
  const train = await makeTrainFile(job.work, job.datasetVersionId, v);
  const scan = await db.$transaction(async (tx) => {
    // Only while this runner still holds the job and the version is a draft: a runner that lost its lock (another
    // replica took the job) or a version published meanwhile gets nothing stored.
    const held = await tx.$queryRaw<{ ok: boolean }[]>`
      SELECT (j."lockedBy" = ${job.runner} AND j.status = 'RUNNING' AND v.status = 'DRAFT') AS ok
        FROM "IngestJob" j JOIN "DatasetVersion" v ON v.id = j."datasetVersionId" WHERE j.id = ${job.id} FOR SHARE OF j, v`;
    if (!held[0]?.ok) {
      job.lost = true;
      throw new LostLock();
    }
    const data = { ...scanData(job.datasetVersionId, v), ...train, fileStamp: stamp };
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

/** Indexes files through the decoding process; a file changed while it was read fails with that reason. */
async function indexChecked(work: ImagingWork, files: { path: string; size: number }[]) {
  const before = await fileStamp(files.map((f) => f.path));
  const out = await work.index(files);
  const after = await fileStamp(files.map((f) => f.path)).catch(() => null);
  if (after !== before) {
    const e = new ImagingError("unreadable", "the file changed while it was being indexed; it will be read again if it is registered again");
    return { volumes: [], problems: files.map((f) => ({ file: f.path, error: e })), stamp: before };
  }
  return { ...out, stamp: before };
}

/** What a running job carries: whose lock it is, whether the lock was lost (renewed on a timer, since one file can
 * take longer than the lock lasts), and the decoding process its files are read by. */
type Running = JobRow & { runner: string; lost: boolean; work: ImagingWork };

function check(job: Running) {
  if (job.lost) throw new LostLock();
}

/** Runs one claimed job until no file of it is waiting (or its lock is lost, or it is cancelled). Files held back
 * (a DICOM series whose upload is still arriving) leave the job queued for a few seconds later. */
export async function runIngestJob(work: ImagingWork, claimed: JobRow, runner = RUNNER_ID) {
  const job: Running = { ...claimed, runner, lost: false, work };
  const beat = setInterval(() => {
    renew(job.id, runner).then((ok) => (job.lost ||= !ok), () => undefined);
  }, Math.max(250, lockMs() / 3));
  beat.unref();
  try {
    if (!job.listed && job.folder) await listFiles(job);
    // Uploads keep adding files to their job while it runs: go round until none is waiting.
    // A round that changes nothing (a series waiting for the rest of its upload) ends this run; the job is
    // taken up again while files of it are pending.
    for (let before = -1; ; ) {
      const more = await db.ingestFile.count({ where: { jobId: job.id, status: "PENDING" } });
      if (!more || more === before) break;
      before = more;
      await indexPending(job);
    }
    check(job);
    await db.$transaction(async (tx) => {
      await refreshCounts(job.id, {}, tx);
      const waiting = await tx.ingestFile.count({ where: { jobId: job.id, status: "PENDING" } });
      await tx.ingestJob.updateMany({
        where: { id: job.id, lockedBy: runner, status: "RUNNING" },
        data: waiting
          ? { status: "QUEUED", lockedBy: null, lockedUntil: new Date(Date.now() + HELD_BACK_MS) }
          : { status: "DONE", finishedAt: new Date(), lockedBy: null, lockedUntil: null },
      });
    });
  } catch (e) {
    if (e instanceof LostLock) return; // cancelled, or another server took it over
    const message = (e as Error).message ?? String(e);
    await db.ingestJob.updateMany({ where: { id: job.id, lockedBy: runner }, data: { status: "FAILED", error: message.slice(0, 1000), finishedAt: new Date(), lockedBy: null, lockedUntil: null } });
  } finally {
    clearInterval(beat);
  }
}

/** How long a job whose files are held back waits before it is taken up again. */
const HELD_BACK_MS = 5_000;

/** One round over the job's waiting files: NIfTI one by one, DICOM by folder, then reports. */
async function indexPending(job: Running) {
  const pending = await db.ingestFile.findMany({ where: { jobId: job.id, status: "PENDING" }, select: { id: true, path: true, size: true, name: true }, orderBy: { path: "asc" } });
  // Reports are attached once the volumes they belong to are stored.
  const reports: FileRow[] = [];
  // DICOM series are assembled per folder (a series lives in one folder in every layout we know of).
  const dicomByDir = new Map<string, FileRow[]>();
  let deferred = false;
  let sinceCount = 0;
  let stored = 0;
  for (const row of pending) {
    check(job);
    const input = { path: row.path, size: Number(row.size) };
    // A registered folder is re-checked at read time: a folder on the way swapped for a link since it was listed
    // would lead outside it (the file itself is opened without following a link).
    if (job.folder && !(await insideFolder(row.path, job.folder))) {
      await markFailed(row, new ImagingError("unreadable", "the file is no longer inside the registered folder (a symbolic link on its path)"));
      continue;
    }
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
        const list = dicomByDir.get(dir) ?? [];
        list.push(row);
        dicomByDir.set(dir, list);
        continue;
      }
      const r = await indexChecked(job.work, [input]);
      if (r.problems[0]) throw r.problems[0].error;
      await storeVolume(job, r.volumes[0], [row], r.stamp);
      stored++;
    } catch (e) {
      if (e instanceof LostLock) throw e;
      await markFailed(row, asImagingError(e));
    }
    if (++sinceCount >= 20) {
      sinceCount = 0;
      await refreshCounts(job.id);
    }
  }
  for (const [dir, fresh] of dicomByDir) {
    check(job);
    // A series still arriving (an upload of its folder under way) waits; it is indexed once complete.
    const folder = path.posix.dirname(fresh[0].name.split(path.sep).join("/"));
    const arriving = await db.ingestFile.count({
      where: { datasetVersionId: job.datasetVersionId, status: "UPLOADING", ...(folder === "." ? { NOT: { name: { contains: "/" } } } : { name: { startsWith: `${folder}/` } }) },
    });
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
      const { volumes, problems } = await indexChecked(job.work, rows.map((r) => ({ path: r.path, size: Number(r.size) })));
      for (const v of volumes) {
        await storeVolume(job, v, v.files.map((f) => byPath.get(f)!), await fileStamp(v.files));
        stored++;
      }
      for (const p of problems) await markFailed(byPath.get(p.file)!, p.error);
    } catch (e) {
      if (e instanceof LostLock) throw e;
      for (const r of rows) await markFailed(r, asImagingError(e));
    }
    await refreshCounts(job.id);
  }
  // Reports that found no scan before are tried again now that volumes were added.
  if (stored) {
    const retry = await db.ingestFile.findMany({ where: { datasetVersionId: job.datasetVersionId, errorCode: "report_unpaired", id: { notIn: reports.map((r) => r.id) } }, select: { id: true, path: true, size: true, name: true } });
    if (retry.length) {
      await db.ingestFile.updateMany({ where: { id: { in: retry.map((r) => r.id) } }, data: { status: "PENDING", jobId: job.id } });
      reports.push(...retry);
    }
  }
  // Reports wait for every volume they could belong to (a series still arriving included).
  if (reports.length && !deferred) await attachReports(job, reports);
  await refreshCounts(job.id);
}

async function insideFolder(file: string, folder: string) {
  const real = await realpath(path.dirname(file)).catch(() => null);
  return real !== null && (real === folder || real.startsWith(folder + path.sep));
}

/** A server shutting down lets go of its jobs, so the next server (or another replica) resumes them at once. */
export async function releaseIngestLocks(runner = RUNNER_ID) {
  await db.ingestJob.updateMany({ where: { lockedBy: runner, status: "RUNNING" }, data: { lockedUntil: new Date(0) } });
}

/** Claims and runs jobs until none is waiting; returns how many it ran. */
export async function drainIngestJobs(work: ImagingWork, runner = RUNNER_ID) {
  let n = 0;
  for (let job = await claimIngestJob(runner); job; job = await claimIngestJob(runner)) {
    await runIngestJob(work, job, runner);
    n++;
  }
  return n;
}

/** Pairs report files with the version's scans (see lib/datasets/reports.ts for the layouts), screens each. A
 * report that finds no scan is kept as `report_unpaired` and tried again whenever a later round adds volumes. */
async function attachReports(job: JobRow, rows: FileRow[]) {
  const files = await db.ingestFile.findMany({ where: { datasetVersionId: job.datasetVersionId, status: { not: "FAILED" } }, select: { id: true, name: true, scanId: true, path: true, status: true } });
  const byKey = new Map<string, string>();
  // A folder stands for a scan only when it holds exactly one (a DICOM series, or a single NIfTI file).
  const byFolder = new Map<string, Set<string>>();
  const byName = new Map(files.map((f) => [f.name.split(path.sep).join("/"), f]));
  for (const f of files) {
    if (f.status !== "DONE" || !f.scanId) continue;
    const name = f.name.split(path.sep).join("/");
    byKey.set(scanKey(name), f.scanId); // a NIfTI file, or one DICOM slice
    const folder = path.posix.dirname(name).toLowerCase();
    byFolder.set(folder, (byFolder.get(folder) ?? new Set()).add(f.scanId));
  }
  const folderScan = (folder: string) => {
    const ids = byFolder.get(folder);
    return ids?.size === 1 ? [...ids][0] : undefined;
  };
  const store = async (scanId: string, text: string, consumed: string[]) => {
    const body = text.slice(0, MAX_REPORT_BYTES);
    await db.$transaction(async (tx) => {
      await tx.scan.update({ where: { id: scanId }, data: { hasReport: true, reportText: body, reportFlags: identifiableFlags(body) } });
      if (consumed.length) await tx.ingestFile.updateMany({ where: { id: { in: consumed } }, data: { status: "DONE", scanId, errorCode: null, error: null } });
    });
  };
  const unpaired = (row: FileRow, message: string) =>
    db.ingestFile.updateMany({ where: { id: row.id }, data: { status: "FAILED", errorCode: "report_unpaired", error: message.slice(0, 1000) } });
  const isCsv = (r: FileRow) => /(^|\/)reports\.csv$/i.test(r.name.split(path.sep).join("/"));
  const consumed = new Set<string>();
  // CSVs first: a text file one of them names is its row's report, not a report of its own.
  for (const row of [...rows.filter(isCsv), ...rows.filter((r) => !isCsv(r))]) {
    if (consumed.has(row.id)) continue;
    const rel = row.name.split(path.sep).join("/");
    try {
      if (isCsv(row)) {
        let attached = 0;
        const missed: string[] = [];
        const dir = path.posix.dirname(rel);
        for await (const e of readReportsCsv(row.path)) {
          const scanId = byKey.get(scanKey(e.scan.replace(/\\/g, "/").replace(/^\.\//, ""))) ?? byKey.get(scanKey(path.posix.join(dir, e.scan)));
          // A report file named in the CSV must itself be a file of this version (listed or uploaded): nothing
          // else on the server is read, whatever the name says.
          const file = e.file ? byName.get(path.posix.normalize(path.posix.join(dir, e.file.replace(/\\/g, "/")))) : undefined;
          const text = e.report ?? (file ? await readReportFile(file.path) : null);
          if (!scanId || text === null) {
            missed.push(e.scan);
            continue;
          }
          await store(scanId, text, file ? [file.id] : []);
          if (file) consumed.add(file.id);
          attached++;
        }
        if (missed.length && !attached) {
          await unpaired(row, `no row of reports.csv names an indexed scan (first: ${missed[0].slice(0, 200)})`);
          continue;
        }
        // Rows that named no scan yet are tried again when more volumes arrive (errorCode report_unpaired).
        await db.ingestFile.updateMany({ where: { id: row.id }, data: { status: "DONE", errorCode: missed.length ? "report_unpaired" : null, error: missed.length ? `${missed.length} row(s) name no indexed scan, e.g. ${missed[0].slice(0, 200)}` : null } });
        continue;
      }
      const key = reportKey(rel);
      const scanId = byKey.get(key) ?? (path.posix.basename(key) === "report" ? folderScan(path.posix.dirname(key)) : undefined);
      const text = await readReportFile(row.path);
      if (!scanId || text === null) {
        await unpaired(row, path.posix.basename(key) === "report" && (byFolder.get(path.posix.dirname(key))?.size ?? 0) > 1
          ? "report.txt sits in a folder of several volumes: name it <scan>.txt or list it in reports.csv"
          : "a text file with no scan of the same name (a report is <scan>.txt beside the scan, report.txt in a DICOM series' folder, or a row of reports.csv)");
        continue;
      }
      await store(scanId, text, [row.id]);
    } catch (e) {
      await markFailed(row, asImagingError(e));
    }
  }
}

/** The first MAX_REPORT_BYTES of a report file, opened without following a link; null when it is not a file. */
async function readReportFile(file: string) {
  const fh = await open(file, READ_FLAGS).catch(() => null);
  if (!fh) return null;
  try {
    const st = await fh.stat();
    if (!st.isFile()) return null;
    const buf = Buffer.alloc(Math.min(st.size, MAX_REPORT_BYTES));
    await fh.read(buf, 0, buf.length, 0);
    return buf.toString("utf8");
  } finally {
    await fh.close();
  }
}

