import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { getConfig } from '../config.ts';
import type { JobFailure } from '../domain/errors.ts';
import type { JobRecord, WebhookAttempt } from '../domain/job.ts';
import { getDocumentClient, isConditionalCheckFailure } from './dynamodb.ts';

/** GSI listing an account's jobs newest first (listing itself is in jobs-listing.ts). */
export const OWNER_CREATED_INDEX = 'OwnerCreatedAtIndex';
/** Sparse GSI holding only queued and processing jobs (keyed by `active_owner`). */
export const OWNER_ACTIVE_INDEX = 'OwnerActiveIndex';

const table = () => getConfig().JOBS_TABLE;

/** Runs a conditional update; a failed condition returns undefined instead of throwing. */
const updateIf = async (input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>) => {
  try {
    const result = await getDocumentClient().send(
      new UpdateCommand({ TableName: table(), ReturnValues: 'ALL_NEW', ...input }),
    );
    return result.Attributes as JobRecord;
  } catch (err) {
    if (isConditionalCheckFailure(err)) return undefined;
    throw err;
  }
};

/** Writes a new job row; refuses to replace an existing one. `signal` bounds the call. */
export const insertJob = async (job: JobRecord, signal?: AbortSignal): Promise<void> => {
  await getDocumentClient().send(
    new PutCommand({ TableName: table(), Item: job, ConditionExpression: 'attribute_not_exists(job_id)' }),
    signal ? { abortSignal: signal } : {},
  );
};

export const getJob = async (jobId: string): Promise<JobRecord | undefined> => {
  const result = await getDocumentClient().send(
    new GetCommand({ TableName: table(), Key: { job_id: jobId }, ConsistentRead: true }),
  );
  return result.Item as JobRecord | undefined;
};

/**
 * Takes the processing claim: queued → processing, or re-takes a processing job whose lease ran out
 * (its worker died). Returns the claimed row, or undefined when someone else holds it or it is done.
 */
export const claimJob = (jobId: string, token: string, now: number, leaseMs: number) =>
  updateIf({
    Key: { job_id: jobId },
    ConditionExpression: '#s = :queued OR (#s = :processing AND lease_expires_at < :now)',
    UpdateExpression:
      'SET #s = :processing, lease_token = :token, lease_expires_at = :until, started_at = :started, attempts = if_not_exists(attempts, :zero) + :one',
    ExpressionAttributeNames: { '#s': 'status' },
    ExpressionAttributeValues: {
      ':queued': 'queued',
      ':processing': 'processing',
      ':now': now,
      ':token': token,
      ':until': now + leaseMs,
      ':started': new Date(now).toISOString(),
      ':zero': 0,
      ':one': 1,
    },
  });

/** Gives a claim back after a transient failure so the redelivered message can take it. */
export const releaseClaim = (jobId: string, token: string) =>
  updateIf({
    Key: { job_id: jobId },
    ConditionExpression: 'lease_token = :token AND #s = :processing',
    UpdateExpression: 'SET #s = :queued REMOVE lease_token, lease_expires_at',
    ExpressionAttributeNames: { '#s': 'status' },
    ExpressionAttributeValues: { ':token': token, ':processing': 'processing', ':queued': 'queued' },
  });

export interface CompletedFields {
  pages: number;
  truncated: boolean;
  s3_key: string;
  s3_url: string;
  s3_url_expires_at: string;
  completed_at: string;
  duration_ms: number;
  render_ms: number;
}

/**
 * processing → completed, only while `token` still holds the claim. With `webhookLeaseUntil` the
 * same write claims the webhook delivery, so a duplicate message cannot deliver it in parallel.
 */
export const completeJob = (
  jobId: string,
  token: string,
  fields: CompletedFields,
  webhookLeaseUntil?: number,
) => {
  const values: Record<string, unknown> = {
    ':token': token,
    ':processing': 'processing',
    ':completed': 'completed',
  };
  const sets = ['#s = :completed'];
  for (const [key, value] of Object.entries(fields)) {
    sets.push(`${key} = :${key}`);
    values[`:${key}`] = value;
  }
  if (webhookLeaseUntil !== undefined) {
    sets.push('webhook_lease_expires_at = :wl');
    values[':wl'] = webhookLeaseUntil;
  }
  return updateIf({
    Key: { job_id: jobId },
    ConditionExpression: 'lease_token = :token AND #s = :processing',
    UpdateExpression: `SET ${sets.join(', ')} REMOVE active_owner, lease_token, lease_expires_at`,
    ExpressionAttributeNames: { '#s': 'status' },
    ExpressionAttributeValues: values,
  });
};

/**
 * Marks a job failed. With `token`, only while that claim holds (the processor); without, when it is
 * queued or its claim has lapsed (the dead-letter handler). Claims the webhook like completeJob;
 * `withoutWebhook` removes it instead (a job the client was told was not accepted announces nothing).
 */
export const failJob = (
  jobId: string,
  error: JobFailure,
  options: { token?: string; now: number; webhookLeaseUntil?: number; withoutWebhook?: boolean },
) => {
  const values: Record<string, unknown> = {
    ':failed': 'failed',
    ':code': error.code,
    ':message': error.message,
    ':at': new Date(options.now).toISOString(),
  };
  let condition: string;
  if (options.token) {
    condition = 'lease_token = :token AND #s = :processing';
    values[':token'] = options.token;
    values[':processing'] = 'processing';
  } else {
    // Never under a worker that still holds a live claim.
    condition = '#s = :queued OR (#s = :processing AND lease_expires_at < :now)';
    values[':queued'] = 'queued';
    values[':processing'] = 'processing';
    values[':now'] = options.now;
  }
  const sets = ['#s = :failed', 'error_code = :code', 'error_message = :message', 'completed_at = :at'];
  if (options.webhookLeaseUntil !== undefined) {
    sets.push('webhook_lease_expires_at = :wl');
    values[':wl'] = options.webhookLeaseUntil;
  }
  return updateIf({
    Key: { job_id: jobId },
    ConditionExpression: condition,
    UpdateExpression: `SET ${sets.join(', ')} REMOVE active_owner, lease_token, lease_expires_at${options.withoutWebhook ? ', webhook_url' : ''}`,
    ExpressionAttributeNames: { '#s': 'status' },
    ExpressionAttributeValues: values,
  });
};

/** queued → cancelled for the owner's job; undefined when it is not (or no longer) queued. */
export const cancelJob = (jobId: string, owner: string, now: number) =>
  updateIf({
    Key: { job_id: jobId },
    ConditionExpression: '#s = :queued AND #o = :owner',
    UpdateExpression: 'SET #s = :cancelled, cancelled_at = :at REMOVE active_owner',
    ExpressionAttributeNames: { '#s': 'status', '#o': 'owner' },
    ExpressionAttributeValues: {
      ':queued': 'queued',
      ':owner': owner,
      ':cancelled': 'cancelled',
      ':at': new Date(now).toISOString(),
    },
  });

/**
 * Takes the webhook delivery of a finished job whose webhook has not gone out and is not being sent
 * (no live delivery lease). This is how a redelivered message finishes a delivery a crash cut short.
 */
export const claimWebhookDelivery = (jobId: string, now: number, leaseMs: number) =>
  updateIf({
    Key: { job_id: jobId },
    ConditionExpression:
      '#s IN (:completed, :failed) AND attribute_exists(webhook_url) AND attribute_not_exists(webhook_delivered) AND (attribute_not_exists(webhook_lease_expires_at) OR webhook_lease_expires_at < :now)',
    UpdateExpression: 'SET webhook_lease_expires_at = :until',
    ExpressionAttributeNames: { '#s': 'status' },
    ExpressionAttributeValues: {
      ':completed': 'completed',
      ':failed': 'failed',
      ':now': now,
      ':until': now + leaseMs,
    },
  });

export interface WebhookOutcome {
  delivered: boolean;
  retryCount: number;
  deliveredAt?: string;
}

/**
 * Logs one delivery attempt. With `outcome` (the attempt that ends the delivery) the same write also
 * records the result and ends the delivery lease.
 */
export const recordWebhookAttempt = async (
  jobId: string,
  attempt: WebhookAttempt,
  outcome?: WebhookOutcome,
): Promise<void> => {
  const outcomeSets = outcome
    ? `, webhook_delivered = :d, webhook_retry_count = :r${outcome.deliveredAt ? ', webhook_delivered_at = :at' : ''}`
    : '';
  await getDocumentClient().send(
    new UpdateCommand({
      TableName: table(),
      Key: { job_id: jobId },
      UpdateExpression: `SET webhook_retry_log = list_append(if_not_exists(webhook_retry_log, :empty), :attempt)${outcomeSets}${outcome ? ' REMOVE webhook_lease_expires_at' : ''}`,
      ExpressionAttributeValues: {
        ':empty': [],
        ':attempt': [attempt],
        ...(outcome ? { ':d': outcome.delivered, ':r': outcome.retryCount } : {}),
        ...(outcome?.deliveredAt ? { ':at': outcome.deliveredAt } : {}),
      },
    }),
  );
};

/** Ends a delivery that made no attempt (nothing could be signed). */
export const finishWebhook = async (jobId: string, outcome: WebhookOutcome): Promise<void> => {
  await getDocumentClient().send(
    new UpdateCommand({
      TableName: table(),
      Key: { job_id: jobId },
      UpdateExpression:
        'SET webhook_delivered = :d, webhook_retry_count = :r REMOVE webhook_lease_expires_at',
      ExpressionAttributeValues: { ':d': outcome.delivered, ':r': outcome.retryCount },
    }),
  );
};

/** Render times (ms) of the owner's most recent completed jobs (quick or long), newest first. */
export const recentRenderDurations = async (owner: string, sample = 20): Promise<number[]> => {
  const result = await getDocumentClient().send(
    new QueryCommand({
      TableName: table(),
      IndexName: OWNER_CREATED_INDEX,
      KeyConditionExpression: '#o = :owner',
      FilterExpression: 'attribute_exists(render_ms)',
      ProjectionExpression: 'render_ms',
      ExpressionAttributeNames: { '#o': 'owner' },
      ExpressionAttributeValues: { ':owner': owner },
      ScanIndexForward: false,
      Limit: sample,
    }),
  );
  return (result.Items ?? []).map((item) => Number(item.render_ms));
};
