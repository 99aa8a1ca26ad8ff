import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { WebhookAttempt } from '../domain/job.ts';
import { getDocumentClient } from './dynamodb.ts';
import { Expressions } from './expressions.ts';
import { jobsTable, touching, updateJobIf } from './jobs-table.ts';

/**
 * A finished job's webhook state in its row: the delivery claim (so duplicate messages never deliver
 * at once), the attempt log and the outcome.
 */

/**
 * Takes the webhook delivery of a finished job whose webhook has not gone out and is not being sent
 * (no live delivery lease). This is how a redelivered message finishes a delivery a crash cut short.
 */
export const claimWebhookDelivery = (jobId: string, now: number, leaseMs: number) => {
  const x = new Expressions();
  const status = x.name('status');
  const lease = x.name('webhook_lease_expires_at');
  const condition = [
    `${status} IN (${x.value('completed')}, ${x.value('failed')})`,
    `attribute_exists(${x.name('webhook_url')})`,
    `attribute_not_exists(${x.name('webhook_delivered')})`,
    `(attribute_not_exists(${lease}) OR ${lease} < ${x.value(now)})`,
  ].join(' AND ');
  return updateJobIf(jobId, x, condition, x.update({ set: { webhook_lease_expires_at: now + leaseMs } }));
};

export interface WebhookOutcome {
  delivered: boolean;
  retryCount: number;
  deliveredAt?: string;
}

/** The fields that end a delivery: its result, and no lease any more. */
const outcomeChange = (outcome: WebhookOutcome) => ({
  set: {
    webhook_delivered: outcome.delivered,
    webhook_retry_count: outcome.retryCount,
    webhook_delivered_at: outcome.deliveredAt,
  },
  remove: ['webhook_lease_expires_at'],
});

const updateJob = async (jobId: string, x: Expressions, update: string): Promise<void> => {
  await getDocumentClient().send(
    new UpdateCommand({
      TableName: jobsTable(),
      Key: { job_id: jobId },
      UpdateExpression: touching(x, update),
      ...x.attributes(),
    }),
  );
};

/**
 * Logs one delivery attempt. With `outcome` (the attempt that ends the delivery) the same write also
 * records the result and ends the delivery lease.
 */
export const recordWebhookAttempt = async (
  jobId: string,
  attempt: WebhookAttempt,
  outcome?: WebhookOutcome,
): Promise<void> => {
  const x = new Expressions();
  const ending = outcome ? outcomeChange(outcome) : {};
  await updateJob(jobId, x, x.update({ ...ending, append: { webhook_retry_log: [attempt] } }));
};

/** Ends a delivery that made no attempt (nothing could be signed). */
export const finishWebhook = async (jobId: string, outcome: WebhookOutcome): Promise<void> => {
  const x = new Expressions();
  await updateJob(jobId, x, x.update(outcomeChange(outcome)));
};
