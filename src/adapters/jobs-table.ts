import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { getConfig } from '../config.ts';
import type { JobFailure } from '../domain/errors.ts';
import {
  JOB_TRANSITIONS,
  type JobRecord,
  type JobStatus,
  type JobTransition,
  type TransitionGuard,
} from '../domain/job.ts';
import { getDocumentClient, isConditionalCheckFailure } from './dynamodb.ts';
import { Expressions } from './expressions.ts';

/** GSI listing an account's jobs newest first (listing itself is in jobs-listing.ts). */
export const OWNER_CREATED_INDEX = 'OwnerCreatedAtIndex';
/** Sparse GSI holding only queued and processing jobs (keyed by `active_owner`). */
export const OWNER_ACTIVE_INDEX = 'OwnerActiveIndex';
/** GSI listing an account's jobs by their last change, for `GET /jobs?since=`. */
export const OWNER_UPDATED_INDEX = 'OwnerUpdatedAtIndex';

export const jobsTable = () => getConfig().JOBS_TABLE;

/**
 * `update` (an UpdateExpression of `x`) that also sets `updated_at` to the time of the write. Every
 * write to a job row goes through it (or through insertJob), so `GET /jobs?since=` sees every change.
 */
export const touching = (x: Expressions, update: string): string => {
  const stamp = `${x.name('updated_at')} = ${x.value(new Date().toISOString())}`;
  if (update.startsWith('SET ')) return `SET ${stamp}, ${update.slice('SET '.length)}`;
  return update ? `SET ${stamp} ${update}` : `SET ${stamp}`;
};

/**
 * Runs a conditional update on one job built with `x` (stamping `updated_at`); a failed condition returns undefined instead
 * of throwing, so a lost race reads as "not this time".
 */
export const updateJobIf = async (
  jobId: string,
  x: Expressions,
  condition: string,
  update: string,
): Promise<JobRecord | undefined> => {
  try {
    const result = await getDocumentClient().send(
      new UpdateCommand({
        TableName: jobsTable(),
        Key: { job_id: jobId },
        ConditionExpression: condition,
        UpdateExpression: touching(x, update),
        ReturnValues: 'ALL_NEW',
        ...x.attributes(),
      }),
    );
    return result.Attributes as JobRecord;
  } catch (err) {
    if (isConditionalCheckFailure(err)) return undefined;
    throw err;
  }
};

/**
 * Writes a new job row (its `updated_at` is its `created_at` unless given); refuses to replace an
 * existing one. `signal` bounds the call.
 */
export const insertJob = async (job: JobRecord, signal?: AbortSignal): Promise<void> => {
  await getDocumentClient().send(
    new PutCommand({
      TableName: jobsTable(),
      Item: { ...job, updated_at: job.updated_at ?? job.created_at },
      ConditionExpression: 'attribute_not_exists(job_id)',
    }),
    signal ? { abortSignal: signal } : {},
  );
};

export const getJob = async (jobId: string): Promise<JobRecord | undefined> => {
  const result = await getDocumentClient().send(
    new GetCommand({ TableName: jobsTable(), Key: { job_id: jobId }, ConsistentRead: true }),
  );
  return result.Item as JobRecord | undefined;
};

/**
 * The condition of `transition` (domain/job.ts), in the placeholders of `x`. Parentheses only where
 * an OR needs them: DynamoDB refuses redundant ones.
 */
const transitionCondition = (
  x: Expressions,
  transition: JobTransition,
  claim: { now: number; token?: string | undefined },
): string => {
  const branches = Object.entries(
    JOB_TRANSITIONS[transition].from as Partial<Record<JobStatus, TransitionGuard>>,
  ).map(([status, guard]) => {
    const is = `${x.name('status')} = ${x.value(status)}`;
    if (guard === 'own-claim') return `${is} AND ${x.name('lease_token')} = ${x.value(claim.token ?? '')}`;
    if (guard === 'lapsed-claim') return `${is} AND ${x.name('lease_expires_at')} < ${x.value(claim.now)}`;
    return is;
  });
  if (branches.length === 1) return branches[0] ?? '';
  return `(${branches.map((b) => (b.includes(' AND ') ? `(${b})` : b)).join(' OR ')})`;
};

/**
 * Moves a job along `transition` when its row allows it, setting the new status with `set` and
 * removing `remove`; `also` adds to the condition. Undefined when the row does not allow it (now).
 */
const moveJob = (
  jobId: string,
  transition: JobTransition,
  claim: { now: number; token?: string | undefined },
  change: { set?: Record<string, unknown>; add?: Record<string, number>; remove?: string[] },
  also?: (x: Expressions) => string,
) => {
  const x = new Expressions();
  const condition = transitionCondition(x, transition, claim);
  const update = x.update({ ...change, set: { status: JOB_TRANSITIONS[transition].to, ...change.set } });
  return updateJobIf(jobId, x, also ? `${condition} AND ${also(x)}` : condition, update);
};

/** What a job leaves behind once it is final: it no longer counts as active and no claim is held. */
const ENDED = ['active_owner', 'lease_token', 'lease_expires_at', 'stage'];

/**
 * Takes the processing claim: queued → processing, or re-takes a processing job whose lease ran out
 * (its worker died). Returns the claimed row, or undefined when someone else holds it or it is done.
 */
export const claimJob = (jobId: string, token: string, now: number, leaseMs: number) =>
  moveJob(
    jobId,
    'claim',
    { now },
    {
      set: {
        lease_token: token,
        lease_expires_at: now + leaseMs,
        started_at: new Date(now).toISOString(),
        // Free in this write; also replaces a `storing` left by a worker that died uploading.
        stage: 'rendering',
      },
      add: { attempts: 1 },
    },
  );

/** Gives a claim back after a transient failure so the redelivered message can take it. */
export const releaseClaim = (jobId: string, token: string) =>
  moveJob(
    jobId,
    'release',
    { now: Date.now(), token },
    { remove: ['lease_token', 'lease_expires_at', 'stage'] },
  );

/**
 * Marks the job `storing` while `token` still holds its claim (no status change). One write, made only
 * when an upload is slow enough to be seen (app/job-stage.ts); undefined when the claim is gone.
 */
export const markStoring = (jobId: string, token: string) => {
  const x = new Expressions();
  const condition = `${x.name('status')} = ${x.value('processing')} AND ${x.name('lease_token')} = ${x.value(token)}`;
  return updateJobIf(jobId, x, condition, x.update({ set: { stage: 'storing' } }));
};

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

/** processing → completed, only while `token` still holds the claim. */
export const completeJob = (
  jobId: string,
  token: string,
  fields: CompletedFields,
  options: { now: number },
) => moveJob(jobId, 'complete', { now: options.now, token }, { set: { ...fields }, remove: ENDED });

/** The row was claimed exactly `attempts` times (0: never): no claim happened since it was read. */
const claimedTimes = (x: Expressions, attempts: number): string =>
  attempts === 0
    ? `attribute_not_exists(${x.name('attempts')})`
    : `${x.name('attempts')} = ${x.value(attempts)}`;

/**
 * Marks a job failed. With `token`, only while that claim holds (the processor); without, when no
 * live worker holds it (the dead-letter handler, a submission whose message never went out, the
 * sweeper). `withoutWebhook` removes the webhook (a job the client was told was not accepted
 * announces nothing). `expectAttempts` also requires the row to have been claimed that many times,
 * so a decision made on a row read earlier never applies to a later claim.
 */
export const failJob = (
  jobId: string,
  error: JobFailure,
  options: { token?: string; now: number; withoutWebhook?: boolean; expectAttempts?: number },
) =>
  moveJob(
    jobId,
    options.token ? 'failClaimed' : 'failUnclaimed',
    { now: options.now, token: options.token },
    {
      set: {
        error_code: error.code,
        error_message: error.message,
        completed_at: new Date(options.now).toISOString(),
      },
      remove: options.withoutWebhook ? [...ENDED, 'webhook_url'] : ENDED,
    },
    options.expectAttempts === undefined ? undefined : (x) => claimedTimes(x, options.expectAttempts ?? 0),
  );

/** queued → cancelled for the owner's job; undefined when it is not (or no longer) queued. */
export const cancelJob = (jobId: string, owner: string, now: number) =>
  moveJob(
    jobId,
    'cancel',
    { now },
    { set: { cancelled_at: new Date(now).toISOString() }, remove: ['active_owner'] },
    (x) => `${x.name('owner')} = ${x.value(owner)}`,
  );

/**
 * What a retry clears: the failure, the stage, and the failure's webhook delivery, so the new outcome
 * is announced like a first one.
 */
const RETRY_CLEARS = [
  'error_code',
  'error_message',
  'completed_at',
  'duration_ms',
  'stage',
  'webhook_delivered',
  'webhook_delivered_at',
  'webhook_retry_count',
  'webhook_retry_log',
  'webhook_lease_expires_at',
  'webhook_next_at',
  'webhook_round',
  'webhook_round_start',
] as const;

/**
 * The condition of a retry besides its status: the owner's long job, `retry_count` as the caller read
 * it, and no failure webhook still being delivered (that delivery would write its outcome over the
 * retried job's).
 */
const retryGuard = (owner: string, retryCount: number) => (x: Expressions) =>
  [
    `${x.name('owner')} = ${x.value(owner)}`,
    `${x.name('job_type')} = ${x.value('long')}`,
    retryCount === 0
      ? `attribute_not_exists(${x.name('retry_count')})`
      : `${x.name('retry_count')} = ${x.value(retryCount)}`,
    `(attribute_not_exists(${x.name('webhook_url')}) OR attribute_exists(${x.name('webhook_delivered')}))`,
  ].join(' AND ');

/**
 * failed → queued for the owner's failed long job that `retry_count` was `retryCount`: clears the
 * failure, counts the retry and makes the job active again. Undefined when the row does not allow it.
 */
export const requeueJob = (jobId: string, owner: string, retryCount: number, now: number) =>
  moveJob(
    jobId,
    'retry',
    { now },
    {
      set: { active_owner: owner, retried_at: new Date(now).toISOString(), retry_count: retryCount + 1 },
      remove: [...RETRY_CLEARS],
    },
    retryGuard(owner, retryCount),
  );

/**
 * queued → failed, back to `previous` (the row as it was before requeueJob), while no worker has
 * taken the job: the retry's message could not be sent. Undefined when the row has moved on.
 */
export const undoRetry = (jobId: string, previous: JobRecord, now: number) => {
  const restored = Object.fromEntries(
    [...RETRY_CLEARS, 'retry_count', 'retried_at'].map((field) => [
      field,
      previous[field as keyof JobRecord],
    ]),
  );
  return moveJob(
    jobId,
    'undoRetry',
    { now },
    {
      set: restored,
      // Each path once, and none that is also set: DynamoDB refuses overlapping paths.
      remove: [
        ...new Set([
          ...ENDED.filter((field) => restored[field] === undefined),
          ...Object.entries(restored)
            .filter(([, value]) => value === undefined)
            .map(([field]) => field),
        ]),
      ],
    },
    (x) =>
      `${x.name('owner')} = ${x.value(previous.owner)} AND ${x.name('retry_count')} = ${x.value((previous.retry_count ?? 0) + 1)}`,
  );
};
