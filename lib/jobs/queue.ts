// The queue between the web process and the job process, in PostgreSQL. The web process asks for a piece of work
// by its key and waits a bounded time for it; a job process claims it (SKIP LOCKED, a lock that lapses when that
// process stops) and records its result or its failure. All times are the database's clock.
import "server-only";
import { randomUUID } from "node:crypto";
import { pool } from "../db/client";
import { DomainError } from "../errors";

export type JobKind = "preview" | "export" | "manifest";
export type JobRow = { id: string; kind: JobKind; key: string; payload: Record<string, unknown>; status: "QUEUED" | "RUNNING" | "DONE" | "FAILED"; attempts: number; result: unknown; errorCode: string | null; error: string | null };

/** How many times a job is taken up again after its job process stopped in the middle of it. */
export const MAX_ATTEMPTS = 3;
const COLUMNS = `id, kind, key, payload, status, attempts, result, "errorCode", error`;

export const JOB_RUNNER_ID = `${process.pid}-${randomUUID().slice(0, 8)}`;

/** Queues the work named by `key` unless it is queued, running or failed already. `redo`: the job's output is gone
 * (a blob removed), so a finished job is queued again. A file's failure is kept, since the same input fails the same
 * way and a hostile file must not be decoded again on every request; only a failure marked `retry` (not the file's
 * doing) is queued again. */
export async function requestJob(kind: JobKind, key: string, payload: Record<string, unknown>, opts: { redo?: boolean } = {}): Promise<JobRow> {
  const { rows } = await pool().query<JobRow>(
    `INSERT INTO "Job" (id, kind, key, payload) VALUES ($1, $2, $3, $4)
     ON CONFLICT (key) DO UPDATE SET status = 'QUEUED', payload = EXCLUDED.payload, attempts = 0, result = NULL, "errorCode" = NULL,
       error = NULL, "lockedBy" = NULL, "lockedUntil" = NULL, "finishedAt" = NULL, "createdAt" = now()
       WHERE ("Job".status = 'DONE' AND $5) OR ("Job".status = 'FAILED' AND "Job"."errorCode" = 'retry')
     RETURNING ${COLUMNS}`,
    [`job_${randomUUID().replace(/-/g, "")}`, kind, key, JSON.stringify(payload), !!opts.redo],
  );
  if (rows[0]) return rows[0];
  const found = await pool().query<JobRow>(`SELECT ${COLUMNS} FROM "Job" WHERE key = $1`, [key]);
  return found.rows[0];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until the job is finished or `timeoutMs` passes; the last state either way. */
export async function waitForJob(id: string, timeoutMs: number): Promise<JobRow> {
  const until = Date.now() + timeoutMs;
  for (let wait = 50; ; wait = Math.min(wait * 2, 400)) {
    const { rows } = await pool().query<JobRow>(`SELECT ${COLUMNS} FROM "Job" WHERE id = $1`, [id]);
    if (!rows[0]) throw new DomainError("The job was removed before it finished", 503, "Service unavailable", undefined, { "Retry-After": "1" });
    if (rows[0].status === "DONE" || rows[0].status === "FAILED" || Date.now() >= until) return rows[0];
    await sleep(Math.min(wait, until - Date.now()));
  }
}

/** Asks for the work and waits for it; its result when it is done. A failure comes back as a 422 with its reason; a
 * job still running after `timeoutMs` as a 503 with Retry-After, so the client asks again. */
export async function awaitJob(kind: JobKind, key: string, payload: Record<string, unknown>, o: { timeoutMs: number; redo?: boolean; what: string }): Promise<unknown> {
  const job = await requestJob(kind, key, payload, { redo: o.redo });
  const done = job.status === "DONE" || job.status === "FAILED" ? job : await waitForJob(job.id, o.timeoutMs);
  if (done.status === "DONE") return done.result;
  if (done.status === "FAILED") {
    if (done.errorCode === "changed") throw new DomainError(done.error ?? "The file changed since indexing", 409, "Changed since indexing");
    throw new DomainError(`${o.what} could not be made: ${done.error ?? "the job failed"}`, 422, "Unprocessable content", [{ field: done.errorCode ?? "job", message: done.error ?? "failed" }]);
  }
  throw new DomainError(`${o.what} is being prepared; ask again in a few seconds`, 503, "Not ready yet", undefined, { "Retry-After": "2" });
}

/** Takes the oldest queued job (or one whose job process stopped holding it). A job taken up MAX_ATTEMPTS times
 * already is failed instead: something in it stops the job process itself. */
export async function claimJob(runner: string, lockMs: number): Promise<JobRow | null> {
  await pool().query(
    `UPDATE "Job" SET status = 'FAILED', "errorCode" = 'gave_up', error = $1, "finishedAt" = now(), "lockedBy" = NULL, "lockedUntil" = NULL
      WHERE status = 'RUNNING' AND "lockedUntil" < now() AND attempts >= $2`,
    [`the job process stopped during this job ${MAX_ATTEMPTS} times`, MAX_ATTEMPTS],
  );
  const { rows } = await pool().query<JobRow>(
    `UPDATE "Job" SET status = 'RUNNING', attempts = attempts + 1, "lockedBy" = $1, "lockedUntil" = now() + $2 * interval '1 millisecond',
            "startedAt" = now()
      WHERE id = (SELECT id FROM "Job" WHERE status = 'QUEUED' OR (status = 'RUNNING' AND "lockedUntil" < now())
                   ORDER BY "createdAt" LIMIT 1 FOR UPDATE SKIP LOCKED)
      RETURNING ${COLUMNS}`,
    [runner, lockMs],
  );
  return rows[0] ?? null;
}

/** Extends the runner's lock; false once another runner took the job over. */
export async function renewJob(id: string, runner: string, lockMs: number) {
  const r = await pool().query(`UPDATE "Job" SET "lockedUntil" = now() + $3 * interval '1 millisecond' WHERE id = $1 AND "lockedBy" = $2 AND status = 'RUNNING'`, [id, runner, lockMs]);
  return r.rowCount === 1;
}

export async function finishJob(id: string, runner: string, result: unknown) {
  await pool().query(`UPDATE "Job" SET status = 'DONE', result = $3, "finishedAt" = now(), "lockedBy" = NULL, "lockedUntil" = NULL WHERE id = $1 AND "lockedBy" = $2`, [id, runner, JSON.stringify(result ?? null)]);
}

export async function failJob(id: string, runner: string, code: string, message: string) {
  await pool().query(
    `UPDATE "Job" SET status = 'FAILED', "errorCode" = $3, error = $4, "finishedAt" = now(), "lockedBy" = NULL, "lockedUntil" = NULL WHERE id = $1 AND "lockedBy" = $2`,
    [id, runner, code.slice(0, 64), message.slice(0, 1000)],
  );
}

/** A job process shutting down hands its jobs back at once (not counted as an attempt against them). */
export async function releaseJobs(runner: string) {
  await pool().query(`UPDATE "Job" SET status = 'QUEUED', attempts = greatest(attempts - 1, 0), "lockedBy" = NULL, "lockedUntil" = NULL WHERE "lockedBy" = $1 AND status = 'RUNNING'`, [runner]);
}
