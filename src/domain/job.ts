import type { JobFailureCode } from './errors.ts';
import { JOB_RETENTION_DAYS } from './limits.ts';

/**
 * Job states. Quick jobs are written once, already final (completed, failed or timeout). Long jobs
 * move queued → processing → completed | failed; queued → cancelled; and processing → queued again
 * when a transient failure releases the claim (or a crashed worker's lease runs out).
 */
export const JobStatus = {
  QUEUED: 'queued',
  PROCESSING: 'processing',
  COMPLETED: 'completed',
  FAILED: 'failed',
  TIMEOUT: 'timeout',
  CANCELLED: 'cancelled',
} as const;
export type JobStatus = (typeof JobStatus)[keyof typeof JobStatus];

/** States no worker moves a job out of; only its owner's retry re-queues a failed long job. */
export const TERMINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'timeout', 'cancelled'];

/**
 * What a transition asks of the row it starts from, besides its status: nothing more, the caller's
 * own live claim, or a claim whose lease has run out (its worker died).
 */
export type TransitionGuard = 'none' | 'own-claim' | 'lapsed-claim';

/**
 * A long job's transitions by name: the statuses each may start from, with the guard for each, and
 * the status it leads to. The table adapter turns each into its write's condition; nothing else
 * moves a job between states.
 */
export const JOB_TRANSITIONS = {
  /** A worker takes the job: queued, or processing under a claim whose worker died. */
  claim: {
    from: { queued: 'none', processing: 'lapsed-claim' },
    to: JobStatus.PROCESSING,
  },
  /** A worker gives its claim back after a transient failure; the redelivered message retakes it. */
  release: { from: { processing: 'own-claim' }, to: JobStatus.QUEUED },
  complete: { from: { processing: 'own-claim' }, to: JobStatus.COMPLETED },
  /** The worker holding the claim fails the job (its document cannot render). */
  failClaimed: { from: { processing: 'own-claim' }, to: JobStatus.FAILED },
  /** Fails a job no live worker holds: its message never went out, or SQS gave up on it. */
  failUnclaimed: {
    from: { queued: 'none', processing: 'lapsed-claim' },
    to: JobStatus.FAILED,
  },
  /** The owner cancels a job no worker has taken. */
  cancel: { from: { queued: 'none' }, to: JobStatus.CANCELLED },
  /** The owner runs a failed long job again (POST /jobs/{job_id}/retry), under the same id. */
  retry: { from: { failed: 'none' }, to: JobStatus.QUEUED },
  /** A retry whose message could not be sent goes back to the failure it retried. */
  undoRetry: { from: { queued: 'none' }, to: JobStatus.FAILED },
} as const satisfies Record<string, { from: Partial<Record<JobStatus, TransitionGuard>>; to: JobStatus }>;

export type JobTransition = keyof typeof JOB_TRANSITIONS;

/**
 * Whether `transition` may start from `job` at `now` for the caller holding `token`: the rule the
 * table's conditions enforce, for code that holds rows in memory (the unit tests' fake table).
 */
export const allowsTransition = (
  transition: JobTransition,
  job: Pick<JobRecord, 'status' | 'lease_token' | 'lease_expires_at'>,
  now: number,
  token?: string,
): boolean => {
  const guard = (JOB_TRANSITIONS[transition].from as Partial<Record<JobStatus, TransitionGuard>>)[job.status];
  if (guard === undefined) return false;
  if (guard === 'own-claim') return token !== undefined && job.lease_token === token;
  if (guard === 'lapsed-claim') return (job.lease_expires_at ?? 0) < now;
  return true;
};

/**
 * Where a job is, as clients see it: `queued`; `rendering` from its claim; `storing` while a slow PDF
 * upload runs; `delivering` once final while its webhook has not been settled; `done` otherwise.
 */
export type JobStage = 'queued' | 'rendering' | 'storing' | 'delivering' | 'done';

/** Progress (0–1) at each stage: coarse steps, not a measure of the work left. */
export const STAGE_PROGRESS: Record<JobStage, number> = {
  queued: 0,
  rendering: 0.1,
  storing: 0.8,
  delivering: 0.95,
  done: 1,
};

/**
 * The stage of `job`, from its status and the stage its processor last wrote (`rendering` by the
 * claim, `storing` before a slow upload); `delivering` is read off the webhook fields, never written.
 */
export const jobStage = (
  job: Pick<JobRecord, 'status' | 'stage' | 'webhook_url' | 'webhook_delivered'>,
): JobStage => {
  if (job.status === 'queued') return 'queued';
  if (job.status === 'processing') return job.stage === 'storing' ? 'storing' : 'rendering';
  const announced = job.status === 'completed' || job.status === 'failed';
  return announced && job.webhook_url && job.webhook_delivered === undefined ? 'delivering' : 'done';
};

/** States counted in `active_count`: a poller should keep polling while any exist. */
export const ACTIVE_STATUSES: readonly JobStatus[] = ['queued', 'processing'];

export type JobType = 'quick' | 'long';

export interface WebhookAttempt {
  at: string;
  /** 1 for the first attempt of a round. */
  attempt: number;
  /** The delivery round, when it is a redelivery (2 and on). */
  round?: number;
  /** HTTP status of the answer, when there was one. */
  status_code?: number;
  /** Why the attempt failed without an HTTP answer (timeout, refused address, ...). */
  error?: string;
  duration_ms: number;
}

/** A JobDetails row. */
export interface JobRecord {
  job_id: string;
  owner: string;
  job_type: JobType;
  status: JobStatus;
  /** Input type (`html`). */
  mode: string;
  pages?: number;
  truncated?: boolean;
  created_at: string;
  /** When the row last changed (any write); absent only on rows written before it existed. */
  updated_at?: string;
  completed_at?: string;
  duration_ms?: number;
  timeout_occurred?: boolean;
  error_code?: JobFailureCode;
  error_message?: string;
  /** A quick job that passed its deadline under `Prefer: respond-async`: the long job it continued as. */
  continued_as?: string;
  /** Epoch seconds; DynamoDB TTL deletes the row after it. */
  ttl: number;
  /** A sandbox job (`test: true`): SANDBOX stamped on its PDF, no PDF counted. Absent otherwise. */
  test?: boolean;

  // Long jobs only.
  /** Validated render options. */
  options?: Record<string, unknown>;
  /** Where the HTML is in S3, when it was too large to travel in the queue message. */
  input_key?: string;
  /** Webhook for this job: the request's `webhook_url`, else the account default at submission. */
  webhook_url?: string;
  /** Set while queued or processing: the sparse index behind `active_count`. */
  active_owner?: string;
  /** The processing claim: who holds it and until when (epoch ms). */
  lease_token?: string;
  lease_expires_at?: number;
  attempts?: number;
  started_at?: string;
  /** When the sweeper last sent the message of a job whose submission never did (ISO 8601). */
  requeued_at?: string;
  /** Where a processing job is (`rendering` from its claim, `storing` while a slow upload runs). */
  stage?: 'rendering' | 'storing';
  /** Times the owner re-queued the job with POST /jobs/{job_id}/retry. */
  retry_count?: number;
  retried_at?: string;
  render_ms?: number;
  s3_key?: string;
  s3_url?: string;
  s3_url_expires_at?: string;
  cancelled_at?: string;
  webhook_delivered?: boolean;
  webhook_delivered_at?: string;
  /** Retries after the first attempt of the current round (0 to the schedule's length). */
  webhook_retry_count?: number;
  /** Every attempt of every round, oldest first. */
  webhook_retry_log?: WebhookAttempt[];
  /** The delivery claim (epoch ms), so duplicate messages never deliver twice at once. */
  webhook_lease_expires_at?: number;
  /** When the round's next attempt is due (epoch ms); its message is dropped if it comes earlier. */
  webhook_next_at?: number;
  /** The delivery round: 1, plus one per `POST /jobs/{id}/webhook/redeliver`. */
  webhook_round?: number;
  /** Attempts in the log before the current round began. */
  webhook_round_start?: number;
}

export type AnalyticsEventType =
  | 'quickjob_timeout'
  | 'webhook_attempt'
  | 'longjob_dead_lettered'
  | 'longjob_swept';

export interface AnalyticsEvent {
  type: AnalyticsEventType;
  job_id: string;
  owner: string;
  /** The event is of a sandbox job. */
  test?: boolean;
  at?: string;
  details?: Record<string, unknown>;
}

/** Epoch seconds `days` after `from`: the value DynamoDB TTL expects. */
export const epochSecondsAfterDays = (from: Date, days: number): number =>
  Math.floor(from.getTime() / 1000) + days * 24 * 60 * 60;

/** Epoch seconds at which a job created at `createdAt` expires. */
export const jobTtl = (createdAt: Date): number => epochSecondsAfterDays(createdAt, JOB_RETENTION_DAYS);
