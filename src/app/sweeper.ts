import { getConfig } from '../config.ts';
import { errors, type JobFailure } from '../domain/errors.ts';
import type { JobRecord } from '../domain/job.ts';
import { storedInputMessageBody } from '../domain/longjob-message.ts';
import { log } from '../log.ts';
import { metric } from '../metrics.ts';
import { settleUnclaimedJob } from './dead-letter.ts';
import { ports } from './ports.ts';

/** Time a job's sweep may take (a few reads and writes, a send); none starts closer to the end. */
const JOB_MARGIN_MS = 10_000;
/** The long-job queue's MessageRetentionPeriod (resources.yml, 14 days): no message outlives it. */
export const MESSAGE_RETENTION_MS = 1_209_600_000;

/**
 * How often the message of a requeued job that stays unclaimed is sent again: the queue's visibility
 * timeout, so a message waiting behind a backlog is not joined by a duplicate every sweep.
 */
export const REQUEUE_INTERVAL_MS = 900_000;

/** Jobs one sweep looks at; the others wait for the next sweep. */
const MAX_CANDIDATES = 500;
const CONCURRENCY = 4;

/** Why the sweeper gave a job up: stored in its Analytics event. */
export type SweepRule = 'submission_lost' | 'stalled' | 'message_gone';

type Decision =
  | { action: 'requeue' }
  | { action: 'fail'; failure: JobFailure; rule: SweepRule; attempts: number }
  | { action: 'leave' };

export interface SweepReport {
  /** Active jobs older than the grace period, each read again. */
  candidates: number;
  /** Jobs whose message was sent again. */
  requeued: string[];
  /** Jobs given up on, with the code they failed with. */
  failed: Array<{ job_id: string; code: string }>;
  /** Jobs a write or a send failed for: the next sweep looks at them again. */
  errors: number;
  /** True when the time ran out before every candidate was looked at. */
  unfinished: boolean;
}

/**
 * Whether the long-job queue held no message at all (waiting or in flight) when the sweep began,
 * before its own sends. SQS's counts are approximate and may lag a minute behind a send, which the
 * grace period (minutes) covers. A count that cannot be read counts as messages.
 */
const queueWasEmpty = (): Promise<boolean> =>
  ports()
    .queue.queueDepth()
    .then(
      (depth) => depth === 0,
      (err: unknown) => {
        log.warn('could not read the queue depth; no job counts as having lost its message', { cause: err });
        return false;
      },
    );

/**
 * What to do with one active job, from its row as read now. Only two kinds are touched:
 * - queued and never claimed, older than the grace period: its submission died between the row and
 *   the message (a claimed job's message did reach the queue). With its HTML in S3 the message is
 *   sent again; with an input only the message carried (HTML that fit in it, a URL with its headers
 *   and cookies) it cannot be, and the job is failed SUBMISSION_LOST once its message is surely not
 *   in the queue: the queue was empty when the sweep began, or the queue's retention has passed.
 * - processing under a lease over for PODPDF_SWEEPER_STALE_LEASE_MS that no worker took back: failed
 *   PROCESSING_STALLED when claimed PODPDF_SWEEPER_MAX_ATTEMPTS times (its message is dead-lettered or
 *   about to be), or when its message is gone (empty queue, or past retention).
 * Everything else is left to the processor and the dead-letter handler.
 */
const decide = (job: JobRecord, now: number, queueEmpty: boolean): Decision => {
  const config = getConfig();
  const attempts = job.attempts ?? 0;
  if (job.status === 'queued' && attempts === 0) {
    const age = now - Date.parse(job.created_at);
    if (age < config.PODPDF_SWEEPER_GRACE_MS) return { action: 'leave' };
    if (job.input_key) return { action: 'requeue' };
    return age >= MESSAGE_RETENTION_MS || queueEmpty
      ? { action: 'fail', failure: errors.submissionLost(), rule: 'submission_lost', attempts }
      : { action: 'leave' };
  }
  if (job.status === 'processing') {
    const lapsedFor = now - (job.lease_expires_at ?? 0);
    if (lapsedFor < config.PODPDF_SWEEPER_STALE_LEASE_MS) return { action: 'leave' };
    if (attempts >= config.PODPDF_SWEEPER_MAX_ATTEMPTS)
      return { action: 'fail', failure: errors.processingStalled(), rule: 'stalled', attempts };
    if (lapsedFor >= MESSAGE_RETENTION_MS || queueEmpty)
      return { action: 'fail', failure: errors.processingStalled(), rule: 'message_gone', attempts };
  }
  return { action: 'leave' };
};

/**
 * Marks the job requeued (only while it still qualifies, so concurrent sweeps send once) and sends
 * the message its submission would have sent. A duplicate is harmless: the processor claims a job
 * once. A failed send takes the mark back, so the next sweep tries again.
 */
const requeue = async (job: JobRecord, now: number): Promise<boolean> => {
  const marked = await ports().sweep.markRequeued(
    job.job_id,
    now,
    new Date(now - REQUEUE_INTERVAL_MS).toISOString(),
  );
  if (!marked?.requeued_at) return false;
  try {
    await ports().queue.enqueueLongjob(storedInputMessageBody(job));
  } catch (err) {
    const markedAt = marked.requeued_at;
    await ports()
      .sweep.unmarkRequeued(job.job_id, markedAt)
      .catch((unmarkErr: unknown) =>
        log.error('could not take back the requeue mark; the job is sent again in a later sweep', {
          jobId: job.job_id,
          cause: unmarkErr,
        }),
      );
    throw err;
  }
  metric('SweptJobs', 1, { outcome: 'requeued' });
  log.info('job', { job_id: job.job_id, account_id: job.owner, status: job.status, requeued: true });
  return true;
};

/** Looks at one candidate: its row is read again (the index is only eventually consistent). */
const sweepJob = async (jobId: string, report: SweepReport, queueEmpty: boolean): Promise<void> => {
  const job = await ports().jobs.getJob(jobId);
  if (!job) return;
  const now = ports().clock.now();
  const decision = decide(job, now, queueEmpty);
  if (decision.action === 'requeue') {
    if (await requeue(job, now)) report.requeued.push(jobId);
    return;
  }
  if (decision.action === 'fail') {
    // Only the row as read: a claim since then (attempts moved) or a live lease wins.
    const failed = await settleUnclaimedJob(
      jobId,
      decision.failure,
      { type: 'longjob_swept', details: { rule: decision.rule, attempts: decision.attempts } },
      { expectAttempts: decision.attempts },
    );
    if (failed) {
      metric('SweptJobs', 1, { outcome: decision.failure.code });
      report.failed.push({ job_id: jobId, code: decision.failure.code });
    }
  }
};

/**
 * One sweep: finds the queued and processing jobs older than the grace period on the sparse active
 * index and settles those nothing else will (see `decide`). Every write is conditional on the row
 * still being as read, so a sweep racing a processor, another sweep or the dead-letter handler never
 * overwrites a live claim nor settles a job twice. A job that fails to sweep is logged and left to the
 * next sweep. `deadline` (epoch ms) is when the invocation ends: no job is started that could not
 * finish its failure webhook before it.
 *
 * @example
 * export const handler = (_event: ScheduledEvent, context: Context) =>
 *   sweepJobs(Date.now() + context.getRemainingTimeInMillis());
 */
export const sweepJobs = async (deadline: number): Promise<SweepReport> => {
  const config = getConfig();
  const now = ports().clock.now();
  const youngest = Math.min(config.PODPDF_SWEEPER_GRACE_MS, config.PODPDF_SWEEPER_STALE_LEASE_MS);
  const candidates = await ports().sweep.scanActiveJobs(
    new Date(now - youngest).toISOString(),
    MAX_CANDIDATES,
  );
  const report: SweepReport = {
    candidates: candidates.length,
    requeued: [],
    failed: [],
    errors: 0,
    unfinished: false,
  };
  const queueEmpty = candidates.length > 0 && (await queueWasEmpty());
  const pending = [...candidates];
  const worker = async () => {
    for (let next = pending.shift(); next; next = pending.shift()) {
      if (deadline - ports().clock.now() < JOB_MARGIN_MS) {
        report.unfinished = true;
        return;
      }
      try {
        await sweepJob(next.job_id, report, queueEmpty);
      } catch (err) {
        report.errors += 1;
        log.error('could not sweep a job; the next sweep looks again', { jobId: next.job_id, cause: err });
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  log.info('sweep', {
    candidates: report.candidates,
    requeued: report.requeued.length,
    failed: report.failed.length,
    errors: report.errors,
    unfinished: report.unfinished,
  });
  return report;
};
