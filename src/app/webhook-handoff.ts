import { errors } from '../domain/errors.ts';
import type { JobRecord } from '../domain/job.ts';
import { webhookMessageBody } from '../domain/webhook.ts';
import { log } from '../log.ts';
import { ports } from './ports.ts';

/**
 * Handing a finished job's webhook to the webhook queue, from the functions that finish jobs and from
 * POST /jobs/{id}/webhook/redeliver. Sending is the webhook function's (webhook-delivery.ts).
 */

/** The job's webhook still has to go out (its round has no outcome yet). */
export const webhookPending = (job: JobRecord): boolean =>
  (job.status === 'completed' || job.status === 'failed') &&
  Boolean(job.webhook_url) &&
  job.webhook_delivered === undefined;

/**
 * Queues the delivery of a finished job's webhook, when it has one still to send. Throws when the
 * queue refuses: the caller keeps its own message so the hand-off is tried again.
 */
export const handOffWebhook = async (job: JobRecord): Promise<void> => {
  if (!webhookPending(job)) return;
  await ports().queue.enqueueWebhook(webhookMessageBody(job));
};

/**
 * POST /jobs/{id}/webhook/redeliver: a new round of the job's webhook, sent at once on the same
 * schedule, with the same `webhook-id` and a fresh timestamp, signature and download URL. A round
 * still waiting for a retry is replaced (its message is dropped when it comes back).
 */
export const redeliverWebhook = async (job: JobRecord): Promise<{ round: number }> => {
  if (!job.webhook_url) throw errors.noWebhook();
  if (job.status !== 'completed' && job.status !== 'failed') throw errors.webhookNotReady(job.status);
  const now = ports().clock.now();
  if ((job.webhook_lease_expires_at ?? 0) >= now) throw errors.webhookInFlight();
  const started = await ports().jobs.startWebhookRound(
    job.job_id,
    job.owner,
    { round: job.webhook_round ?? 1, logLength: job.webhook_retry_log?.length ?? 0 },
    now,
  );
  if (!started) throw errors.webhookInFlight();
  try {
    await handOffWebhook(started);
  } catch (err) {
    throw errors.redeliveryEnqueueFailed(err);
  }
  log.info('webhook redelivery queued', {
    job_id: job.job_id,
    account_id: job.owner,
    round: started.webhook_round,
  });
  return { round: started.webhook_round ?? 2 };
};
