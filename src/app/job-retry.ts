import { errors } from '../domain/errors.ts';
import type { JobRecord } from '../domain/job.ts';
import { longjobMessageBody } from '../domain/longjob-message.ts';
import { log } from '../log.ts';
import { metric } from '../metrics.ts';
import type { Caller } from './auth.ts';
import { getOwnJob } from './jobs.ts';
import { compensate, enqueue, FAILED } from './longjob-submit.ts';
import { planOf } from './metering.ts';
import { ports } from './ports.ts';
import { storedInput } from './stored-input.ts';

/**
 * Runs the caller's failed long job again from its stored input, under the same job id: checks it can
 * be retried (409 JOB_NOT_RETRYABLE otherwise), reserves an active job (403 TOO_MANY_ACTIVE_JOBS),
 * moves it failed → queued and sends its message. A message that cannot be sent puts the job back as
 * it was (503 ENQUEUE_FAILED, safe to retry). The PDF counted for this request in `period` is given
 * back whenever the job is not re-queued. Another account's job is a 404, as for GET.
 *
 * @example
 * const job = await retryOwnJob(caller, jobId, period); // status 'queued', retry_count + 1
 */
export const retryOwnJob = async (
  caller: Caller,
  jobId: string,
  /** Undefined when no PDF was counted (a sandbox job's retry). */
  period: string | undefined,
): Promise<JobRecord> => {
  try {
    return await requeue(caller, jobId);
  } catch (err) {
    if (period !== undefined)
      await compensate('give back the PDF', () => ports().usage.refundPdf(caller.user_id, period));
    throw err;
  }
};

const requeue = async (caller: Caller, jobId: string): Promise<JobRecord> => {
  const job = await getOwnJob(caller, jobId);
  if (job.job_type !== 'long') throw errors.notRetryable(job, 'quick_job');
  if (job.status !== 'failed') throw errors.notRetryable(job, 'status');
  if (job.webhook_url && job.webhook_delivered === undefined)
    throw errors.notRetryable(job, 'webhook_pending');
  const input = await storedInput(job);
  if (!input) throw errors.notRetryable(job, 'input_expired');

  const { max_active_jobs: maxActive } = planOf(caller);
  const reserved = await ports().usage.reserveActiveJob(caller.user_id, maxActive, () =>
    ports().jobs.countActiveJobs(caller.user_id),
  );
  if (!reserved) {
    metric('Refusals', 1, { reason: 'active_jobs' });
    throw errors.tooManyActiveJobs(maxActive);
  }
  const releaseActive = () =>
    compensate('release the active job', () => ports().usage.releaseActiveJob(caller.user_id));

  const queued = await ports().jobs.requeueJob(
    jobId,
    caller.user_id,
    job.retry_count ?? 0,
    ports().clock.now(),
  );
  if (!queued) {
    // Another request retried it first, or it changed since it was read.
    await releaseActive();
    throw errors.notRetryable((await ports().jobs.getJob(jobId)) ?? job, 'status');
  }

  const unsent = await enqueue(longjobMessageBody({ job_id: jobId, owner: caller.user_id }, input).body);
  if (unsent !== undefined) {
    // As at submission: undone only while no worker holds it. If one does, a send did arrive. If the
    // undo itself cannot be written, the job stays queued without a message (SPEC 3.8).
    const undone = await compensate('undo the retry', () =>
      ports().jobs.undoRetry(jobId, job, ports().clock.now()),
    );
    if (undone !== undefined) {
      if (undone !== FAILED) await releaseActive();
      throw errors.retryEnqueueFailed(unsent);
    }
    log.warn('an unconfirmed send reached the queue: the retried job is being processed', { jobId });
  }
  log.info('job', {
    job_id: jobId,
    account_id: caller.user_id,
    status: queued.status,
    retry_count: queued.retry_count,
  });
  return queued;
};
