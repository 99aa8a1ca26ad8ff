import type * as z from 'zod';
import { getConfig } from '../config.ts';
import type { jobViewSchema } from '../domain/api-schemas.ts';
import { ErrorCode, errors } from '../domain/errors.ts';
import { type JobRecord, type JobStatus, jobStage, STAGE_PROGRESS } from '../domain/job.ts';
import { cursorSigningKey, decodeCursor, encodeCursor, nextSince } from '../domain/jobs-cursor.ts';
import { log } from '../log.ts';
import type { Caller } from './auth.ts';
import { ports } from './ports.ts';

/** The bucket's lifecycle rule deletes PDFs one day after they were written. */
const PDF_RETENTION_MS = 24 * 60 * 60 * 1000;

/** A job as the API shows it: the type of the schema openapi.json documents, so the two cannot drift. */
export type JobView = z.infer<typeof jobViewSchema>;

const isExpired = (job: JobRecord, now: number): boolean =>
  Boolean(job.s3_key && job.completed_at && now - Date.parse(job.completed_at) > PDF_RETENTION_MS);

/**
 * Where to download the caller's PDF now: a URL presigned for the full hour. 409 JOB_NOT_READY while
 * the job has none (not completed, or a quick job, whose PDF was the answer); 410 FILE_EXPIRED once
 * the bucket has deleted it.
 */
export const downloadUrl = async (caller: Caller, jobId: string): Promise<string> => {
  const job = await getOwnJob(caller, jobId);
  if (job.status !== 'completed' || !job.s3_key) throw errors.jobNotReady(job.status, job.job_type);
  if (isExpired(job, ports().clock.now())) throw errors.fileExpired();
  return (await ports().blobs.presignPdf(job.s3_key)).url;
};

/** A job as clients see it; a completed long job gets a freshly presigned URL on every read. */
export const toJobView = async (job: JobRecord, now = ports().clock.now()): Promise<JobView> => {
  const expired = isExpired(job, now);
  const download =
    job.status === 'completed' && job.s3_key && !expired
      ? await ports().blobs.presignPdf(job.s3_key)
      : undefined;
  return {
    job_id: job.job_id,
    job_type: job.job_type,
    status: job.status,
    stage: jobStage(job),
    progress: STAGE_PROGRESS[jobStage(job)],
    mode: job.mode,
    pages: job.pages ?? null,
    truncated: job.truncated ?? null,
    created_at: job.created_at,
    updated_at: job.updated_at ?? job.completed_at ?? job.created_at,
    completed_at: job.completed_at ?? null,
    s3_url: download?.url ?? null,
    s3_url_expires_at: download?.expiresAt ?? null,
    file_expired: expired,
    error_code: job.error_code ?? (expired ? ErrorCode.FILE_EXPIRED : null),
    error_message: job.error_message ?? (expired ? errors.fileExpired().message : null),
    webhook_delivered: job.webhook_delivered ?? null,
    retry_count: job.retry_count ?? 0,
    test: job.test ?? false,
    continued_as: job.continued_as ?? null,
  };
};

/** The caller's job; another account's job is reported exactly like an unknown one. */
export const getOwnJob = async (caller: Caller, jobId: string): Promise<JobRecord> => {
  const job = await ports().jobs.getJob(jobId);
  if (!job || job.owner !== caller.user_id) throw errors.notFound('Job');
  return job;
};

let signingKey: Buffer | undefined;
/** The key `GET /jobs` cursors are signed with, derived once per process like the config it reads. */
const cursorKey = (): Buffer => {
  const config = getConfig();
  signingKey ??= cursorSigningKey({
    secret: config.PODPDF_CURSOR_SECRET,
    stage: config.PODPDF_STAGE,
    jobsTable: config.JOBS_TABLE,
  });
  return signingKey;
};

export interface JobList {
  jobs: JobView[];
  next_cursor: string | null;
  /** With `since`: the `since` to poll with next (domain/jobs-cursor.ts, nextSince); else null. */
  next_since: string | null;
  active_count: number;
}

/**
 * The caller's jobs: newest first, or with `since` (an instant as `toISOString` writes it) those
 * changed at or after it, oldest change first. A cursor continues only the kind of listing it came
 * from.
 */
export const listOwnJobs = async (
  caller: Caller,
  query: { limit: number; status?: JobStatus; cursor?: string; since?: string },
): Promise<JobList> => {
  const after = query.cursor ? decodeCursor(query.cursor, caller.user_id, cursorKey()) : undefined;
  if (after && 'updated_at' in after !== (query.since !== undefined)) throw errors.invalidCursor();
  const [page, activeCount] = await Promise.all([
    ports().jobs.listJobs(caller.user_id, {
      limit: query.limit,
      ...(query.status ? { status: query.status } : {}),
      ...(after ? { after } : {}),
      ...(query.since !== undefined ? { since: query.since } : {}),
    }),
    ports().jobs.countActiveJobs(caller.user_id),
  ]);
  const now = ports().clock.now();
  return {
    jobs: await Promise.all(page.jobs.map((job) => toJobView(job, now))),
    next_cursor: page.next ? encodeCursor(page.next, caller.user_id, cursorKey()) : null,
    next_since:
      query.since === undefined
        ? null
        : nextSince(query.since, now, { complete: !page.next, lastSeen: page.jobs.at(-1)?.updated_at }),
    active_count: activeCount,
  };
};

/** Cancels a queued job; any other state answers 409 with the state it is in. */
export const cancelOwnJob = async (caller: Caller, jobId: string): Promise<JobRecord> => {
  const cancelled = await ports().jobs.cancelJob(jobId, caller.user_id, ports().clock.now());
  if (cancelled) {
    await ports().usage.releaseActiveJob(caller.user_id);
    log.info('job', { job_id: jobId, account_id: caller.user_id, status: cancelled.status });
    return cancelled;
  }
  const job = await getOwnJob(caller, jobId);
  throw errors.notCancellable(job.status);
};
