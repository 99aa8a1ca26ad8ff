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

/** Delivery makes one attempt and up to this many retries. */
export const WEBHOOK_MAX_RETRIES = 3;

/**
 * Delay before retry `retry` (1-based): base × 2^(retry−1), spread ±20% so receivers that failed
 * together are not hit together again.
 */
export const webhookRetryDelayMs = (
  retry: number,
  baseMs: number,
  random: () => number = Math.random,
): number => Math.round(baseMs * 2 ** (retry - 1) * (0.8 + 0.4 * random()));

/** Only 2xx answers count as delivered. */
export const isDelivered = (statusCode: number): boolean => statusCode >= 200 && statusCode < 300;
