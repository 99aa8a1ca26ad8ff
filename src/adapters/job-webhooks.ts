import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { WebhookAttempt } from '../domain/job.ts';
import { getDocumentClient } from './dynamodb.ts';
import { Expressions } from './expressions.ts';
import { jobsTable, touching, updateJobIf } from './jobs-table.ts';

/**
 * A finished job's webhook state in its row: the delivery round, the delivery claim (so duplicate
 * messages never deliver at once), the attempt log and the outcome.
 */

/** The row is in delivery round `round` (rows written before rounds existed are in round 1). */
const inRound = (x: Expressions, round: number): string => {
  const name = x.name('webhook_round');
  return round === 1
    ? `(attribute_not_exists(${name}) OR ${name} = ${x.value(1)})`
    : `${name} = ${x.value(round)}`;
};

/**
 * Takes the next attempt of round `round` of a finished job's webhook: only while the webhook has not
 * gone out, the round is current, nobody holds a live claim on it and its retry is due. Undefined
 * otherwise: so a duplicate message of the round, arriving before the retry it would repeat, is
 * dropped.
 */
export const claimWebhookDelivery = (jobId: string, round: number, now: number, leaseMs: number) => {
  const x = new Expressions();
  const status = x.name('status');
  const lease = x.name('webhook_lease_expires_at');
  const next = x.name('webhook_next_at');
  const condition = [
    `${status} IN (${x.value('completed')}, ${x.value('failed')})`,
    `attribute_exists(${x.name('webhook_url')})`,
    `attribute_not_exists(${x.name('webhook_delivered')})`,
    inRound(x, round),
    `(attribute_not_exists(${lease}) OR ${lease} < ${x.value(now)})`,
    `(attribute_not_exists(${next}) OR ${next} <= ${x.value(now)})`,
  ].join(' AND ');
  return updateJobIf(jobId, x, condition, x.update({ set: { webhook_lease_expires_at: now + leaseMs } }));
};

export interface WebhookOutcome {
  delivered: boolean;
  retryCount: number;
  deliveredAt?: string;
}

const outcomeFields = (outcome: WebhookOutcome) => ({
  webhook_delivered: outcome.delivered,
  webhook_retry_count: outcome.retryCount,
  webhook_delivered_at: outcome.deliveredAt,
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
 * Logs one delivery attempt and gives the claim back, with what follows it: the round's `outcome`,
 * or when the next attempt is due (`nextAt`, epoch ms).
 */
export const recordWebhookAttempt = async (
  jobId: string,
  attempt: WebhookAttempt,
  then: { outcome: WebhookOutcome } | { nextAt: number },
): Promise<void> => {
  const x = new Expressions();
  await updateJob(
    jobId,
    x,
    x.update({
      set: 'outcome' in then ? outcomeFields(then.outcome) : { webhook_next_at: then.nextAt },
      append: { webhook_retry_log: [attempt] },
      remove: ['webhook_lease_expires_at'],
    }),
  );
};

/** Ends a round without a further attempt (nothing could be signed, or it waited too long). */
export const finishWebhook = async (jobId: string, outcome: WebhookOutcome): Promise<void> => {
  const x = new Expressions();
  await updateJob(jobId, x, x.update({ set: outcomeFields(outcome), remove: ['webhook_lease_expires_at'] }));
};

/** Gives a claim back without an attempt (the delivery was deferred). */
export const releaseWebhookDelivery = async (jobId: string): Promise<void> => {
  const x = new Expressions();
  await updateJob(jobId, x, x.update({ remove: ['webhook_lease_expires_at'] }));
};

/**
 * Starts round `round + 1` of a finished job's webhook, for the owner: its outcome is forgotten and
 * its attempts so far (`logLength`) stay in the log. Only while round `round` is current, the log has
 * that length and no attempt is in flight; undefined otherwise.
 */
export const startWebhookRound = (
  jobId: string,
  owner: string,
  seen: { round: number; logLength: number },
  now: number,
) => {
  const x = new Expressions();
  const log = x.name('webhook_retry_log');
  const lease = x.name('webhook_lease_expires_at');
  const condition = [
    `${x.name('owner')} = ${x.value(owner)}`,
    `${x.name('status')} IN (${x.value('completed')}, ${x.value('failed')})`,
    `attribute_exists(${x.name('webhook_url')})`,
    inRound(x, seen.round),
    seen.logLength === 0 ? `attribute_not_exists(${log})` : `size(${log}) = ${x.value(seen.logLength)}`,
    `(attribute_not_exists(${lease}) OR ${lease} < ${x.value(now)})`,
  ].join(' AND ');
  return updateJobIf(
    jobId,
    x,
    condition,
    x.update({
      set: { webhook_round: seen.round + 1, webhook_round_start: seen.logLength },
      remove: ['webhook_delivered', 'webhook_delivered_at', 'webhook_retry_count', 'webhook_next_at'],
    }),
  );
};
