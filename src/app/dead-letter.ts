import { errors } from '../domain/errors.ts';
import type { LongjobMessage } from '../domain/longjob-message.ts';
import { log } from '../log.ts';
import { metric } from '../metrics.ts';
import { ports } from './ports.ts';
import { handOffWebhook } from './webhook-handoff.ts';

/**
 * A message SQS gave up on (maxReceiveCount receives without success): its job, if not finished yet,
 * becomes `failed` with PROCESSING_FAILED and its failure webhook goes out.
 */
export const handleDeadLetter = async (
  message: LongjobMessage,
  receiveCount: number,
): Promise<'done' | 'retry'> => {
  const now = ports().clock.now();
  const failed = await ports().jobs.failJob(message.job_id, errors.processingFailed(), { now });
  if (!failed) {
    const job = await ports().jobs.getJob(message.job_id);
    // A worker still holds a live claim: look again once it has finished or its lease has run out.
    if (job?.status === 'processing') return 'retry';
    // Already final (it completed or was cancelled in the meantime): only a pending webhook is left.
    if (job) await handOffWebhook(job);
    return 'done';
  }
  await ports().usage.releaseActiveJob(failed.owner);
  metric('JobOutcomes', 1, { job_type: 'long', outcome: 'PROCESSING_FAILED' });
  log.info('job', {
    job_id: failed.job_id,
    account_id: failed.owner,
    status: failed.status,
    error_code: failed.error_code,
  });
  await ports().analytics.recordEvent({
    type: 'longjob_dead_lettered',
    job_id: failed.job_id,
    owner: failed.owner,
    details: { receive_count: receiveCount },
  });
  await handOffWebhook(failed);
  return 'done';
};
