import { errors, type JobFailure } from '../domain/errors.ts';
import type { AnalyticsEvent, JobRecord } from '../domain/job.ts';
import type { LongjobMessage } from '../domain/longjob-message.ts';
import { afterLongjobFailed } from './job-failed.ts';
import { ports } from './ports.ts';
import { handOffWebhook } from './webhook-handoff.ts';

/**
 * Gives up on a job no live worker holds (queued, or processing under a lapsed lease): the row becomes
 * `failed` with `failure`, the account's active-job reservation is released, the
 * outcome is logged, measured and recorded in Analytics (`event`), and the failure webhook is handed
 * off (a refused hand-off throws: the caller's message is retried and finds a final job).
 * With `expectAttempts`, only if the job was claimed exactly that many times (0: never), i.e. not
 * claimed since the caller read it. Undefined, and nothing done, when the row does not allow it.
 * The dead-letter handler and the sweeper settle jobs through this one function.
 */
export const settleUnclaimedJob = async (
  jobId: string,
  failure: JobFailure,
  event: Pick<AnalyticsEvent, 'type' | 'details'>,
  options: { expectAttempts?: number } = {},
): Promise<JobRecord | undefined> => {
  const failed = await ports().jobs.failJob(jobId, failure, {
    now: ports().clock.now(),
    ...(options.expectAttempts === undefined ? {} : { expectAttempts: options.expectAttempts }),
  });
  if (!failed) return undefined;
  await afterLongjobFailed(failed);
  await ports().analytics.recordEvent({
    ...event,
    job_id: failed.job_id,
    owner: failed.owner,
    ...(failed.test ? { test: true } : {}),
  });
  await handOffWebhook(failed);
  return failed;
};

/**
 * A message SQS gave up on (maxReceiveCount receives without success): its job, if not finished yet,
 * becomes `failed` with PROCESSING_FAILED and its failure webhook goes out.
 */
export const handleDeadLetter = async (
  message: LongjobMessage,
  receiveCount: number,
): Promise<'done' | 'retry'> => {
  const failed = await settleUnclaimedJob(message.job_id, errors.processingFailed(), {
    type: 'longjob_dead_lettered',
    details: { receive_count: receiveCount },
  });
  if (!failed) {
    const job = await ports().jobs.getJob(message.job_id);
    // A worker still holds a live claim: look again once it has finished or its lease has run out.
    if (job?.status === 'processing') return 'retry';
    // Already final (it completed or was cancelled in the meantime): only a pending webhook is left.
    if (job) await handOffWebhook(job);
  }
  return 'done';
};
