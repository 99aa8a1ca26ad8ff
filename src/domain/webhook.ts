import * as z from 'zod';
import type { JobRecord } from './job.ts';

/** Body POSTed to the webhook, as in the product plan, plus `truncated` and `error` for failures. */
export interface WebhookPayload {
  job_id: string;
  status: string;
  s3_url: string | null;
  s3_url_expires_at: string | null;
  pages: number | null;
  truncated: boolean | null;
  mode: string;
  created_at: string;
  completed_at: string | null;
  /** A sandbox job (`test: true`): its PDF carries the SANDBOX watermark. */
  test: boolean;
  error?: { code: string; message: string };
}

export const webhookPayload = (
  job: JobRecord,
  download?: { url: string; expiresAt: string },
): WebhookPayload => ({
  job_id: job.job_id,
  status: job.status,
  s3_url: download?.url ?? null,
  s3_url_expires_at: download?.expiresAt ?? null,
  pages: job.pages ?? null,
  truncated: job.truncated ?? null,
  mode: job.mode,
  created_at: job.created_at,
  completed_at: job.completed_at ?? null,
  test: job.test ?? false,
  ...(job.status === 'failed'
    ? {
        error: {
          code: job.error_code ?? 'PROCESSING_FAILED',
          message: job.error_message ?? 'The job failed.',
        },
      }
    : {}),
});

/** One id per job outcome, the same on every retry, so receivers can drop duplicates. */
export const webhookMessageId = (job: Pick<JobRecord, 'job_id' | 'status'>): string =>
  `msg_${job.job_id.replaceAll('-', '')}_${job.status}`;

/**
 * A message on the webhook queue: deliver this job's webhook. `round` is 1 for the delivery that
 * follows the job's outcome and one more per redelivery asked for; a message of an older round is
 * dropped.
 */
export const webhookMessageSchema = z.object({
  job_id: z.uuid(),
  round: z.number().int().positive(),
});
export type WebhookMessage = z.infer<typeof webhookMessageSchema>;

export const webhookMessageBody = (job: Pick<JobRecord, 'job_id' | 'webhook_round'>): string =>
  JSON.stringify({ job_id: job.job_id, round: job.webhook_round ?? 1 } satisfies WebhookMessage);

/** The schedule's default: seconds before retries 1, 2, 3 and 4 (the plan asks for at least 3). */
export const DEFAULT_WEBHOOK_RETRY_DELAYS_S = [5, 60, 600, 3600] as const;

/** SQS cannot hide a message for longer (ChangeMessageVisibility). */
export const MAX_WEBHOOK_DELAY_S = 43_200;

/**
 * Seconds before retry `retry` (1-based) of a schedule, spread ±20% so receivers that failed
 * together are not hit together again. Undefined when the schedule has no such retry.
 */
export const webhookRetryDelayS = (
  delaysS: readonly number[],
  retry: number,
  random: () => number = Math.random,
): number | undefined => {
  const base = delaysS[retry - 1];
  return base === undefined ? undefined : Math.round(base * (0.8 + 0.4 * random()));
};

/**
 * A receiver's `Retry-After` (seconds or an HTTP date) as seconds from `now`, within
 * [0, MAX_WEBHOOK_DELAY_S]; undefined when absent or unreadable.
 */
export const retryAfterSeconds = (header: string | undefined, now: number): number | undefined => {
  if (!header) return undefined;
  const trimmed = header.trim();
  const seconds = /^\d+$/.test(trimmed) ? Number(trimmed) : (Date.parse(trimmed) - now) / 1000;
  if (!Number.isFinite(seconds)) return undefined;
  return Math.min(MAX_WEBHOOK_DELAY_S, Math.max(0, Math.ceil(seconds)));
};

/** Answers that ask a sender to come back later, whose `Retry-After` the schedule honours. */
export const isBackPressure = (statusCode: number | undefined): boolean =>
  statusCode === 429 || statusCode === 503;

/**
 * What counts against an endpoint's health (the circuit breaker): no answer, a 5xx, 408 or 429.
 * Any other answer, even a 4xx, shows the receiver is up.
 */
export const isEndpointFailure = (statusCode: number | undefined): boolean =>
  statusCode === undefined || statusCode >= 500 || statusCode === 408 || statusCode === 429;

/**
 * How long an endpoint's circuit stays open after `failures` in a row, from the breaker's threshold
 * on: the base, doubled per failed probe, at most an hour.
 */
export const breakerCooldownS = (failures: number, threshold: number, baseS: number): number =>
  Math.min(3_600, baseS * 2 ** Math.min(12, Math.max(0, failures - threshold)));

/** A 410 Gone: the receiver is retired for good; its delivery ends and the account default is turned off. */
export const isGone = (statusCode: number | undefined): boolean => statusCode === 410;

/** Only 2xx answers count as delivered. */
export const isDelivered = (statusCode: number): boolean => statusCode >= 200 && statusCode < 300;
