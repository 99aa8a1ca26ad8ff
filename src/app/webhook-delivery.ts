import { Webhook } from 'standardwebhooks';
import { getConfig } from '../config.ts';
import type { JobRecord, WebhookAttempt } from '../domain/job.ts';
import { SealedSecretError } from '../domain/sealed-secret.ts';
import {
  isDelivered,
  WEBHOOK_MAX_RETRIES,
  webhookMessageId,
  webhookPayload,
  webhookRetryDelayMs,
} from '../domain/webhook.ts';
import { log } from '../log.ts';
import { metric } from '../metrics.ts';
import { webhookUrlPolicyFor } from '../net/webhook-url-policy.ts';
import { ports } from './ports.ts';
import { secrets } from './secrets-port.ts';

/** How long a delivery may take in the worst case: every attempt timing out, plus the backoff. */
export const webhookLeaseMs = (): number => {
  const { PODPDF_WEBHOOK_TIMEOUT_MS: timeout, PODPDF_WEBHOOK_BACKOFF_MS: backoff } = getConfig();
  return (WEBHOOK_MAX_RETRIES + 1) * timeout + backoff * 2 ** (WEBHOOK_MAX_RETRIES + 1) + 30_000;
};

/** A URL presigned this recently (at completion, just before a first delivery) is sent as it is. */
const FRESH_URL_MS = 60_000;

/**
 * The download link the webhook hands out. Presigned at delivery rather than reused from completion
 * when older than FRESH_URL_MS: a delivery finished after a crash or a queue delay still hands out a
 * URL good for the full hour.
 */
const downloadFor = async (job: JobRecord): Promise<{ url: string; expiresAt: string } | undefined> => {
  if (job.status !== 'completed' || !job.s3_key) return undefined;
  const { s3_url: url, s3_url_expires_at: expiresAt } = job;
  const lifeMs = getConfig().PODPDF_PRESIGN_EXPIRES_S * 1000;
  if (url && expiresAt && Date.parse(expiresAt) - ports().clock.now() >= lifeMs - FRESH_URL_MS)
    return { url, expiresAt };
  return ports().blobs.presignPdf(job.s3_key);
};

/**
 * The owner's signing secret, decrypted for this delivery only. A stored value that does not open for
 * this account (tampered, or copied from another account's row) fails closed: nothing is signed with
 * anything else and the webhook is not sent. KMS being unreachable is not that: it throws, and the
 * message is retried.
 */
const openSigningSecret = async (job: JobRecord, stored: string): Promise<string | undefined> => {
  try {
    return await secrets().open(job.owner, stored);
  } catch (err) {
    if (!(err instanceof SealedSecretError)) throw err;
    log.error('webhook not sent: the signing secret does not open for this account', {
      jobId: job.job_id,
      owner: job.owner,
      error: err,
    });
    return undefined;
  }
};

/**
 * Sends the job's webhook, signed per Standard Webhooks, retrying non-2xx answers and failures up to
 * three times with exponential backoff and jitter. Every attempt is logged in the job row and in
 * Analytics; the outcome ends the delivery lease. The caller must hold that lease.
 */
export const deliverWebhook = async (job: JobRecord): Promise<void> => {
  if (!job.webhook_url) return;
  const config = getConfig();
  const account = await ports().accounts.getAccount(job.owner);
  if (!account?.webhook_secret) {
    log.error('webhook not sent: the account has no signing secret', { jobId: job.job_id });
    await ports().jobs.finishWebhook(job.job_id, { delivered: false, retryCount: 0 });
    return;
  }
  const secret = await openSigningSecret(job, account.webhook_secret);
  if (secret === undefined) {
    await ports().jobs.finishWebhook(job.job_id, { delivered: false, retryCount: 0 });
    return;
  }
  const download = await downloadFor(job);
  const body = JSON.stringify(webhookPayload(job, download));
  const messageId = webhookMessageId(job);
  const signer = new Webhook(secret);
  const policy = webhookUrlPolicyFor(config.PODPDF_STAGE);

  for (let attempt = 1; attempt <= WEBHOOK_MAX_RETRIES + 1; attempt += 1) {
    if (attempt > 1)
      await ports().clock.sleep(webhookRetryDelayMs(attempt - 1, config.PODPDF_WEBHOOK_BACKOFF_MS));
    const sentAt = new Date(ports().clock.now());
    const response = await ports().webhooks.postWebhook(
      job.webhook_url,
      body,
      {
        'webhook-id': messageId,
        'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
        'webhook-signature': signer.sign(messageId, sentAt, body),
      },
      { timeoutMs: config.PODPDF_WEBHOOK_TIMEOUT_MS, policy },
    );
    const record: WebhookAttempt = {
      at: sentAt.toISOString(),
      attempt,
      ...(response.statusCode === undefined ? {} : { status_code: response.statusCode }),
      ...(response.error === undefined ? {} : { error: response.error }),
      duration_ms: response.durationMs,
    };
    const delivered = response.statusCode !== undefined && isDelivered(response.statusCode);
    metric('WebhookAttempts', 1, { outcome: delivered ? 'delivered' : 'failed' });
    const last = delivered || attempt === WEBHOOK_MAX_RETRIES + 1;
    await Promise.all([
      ports().jobs.recordWebhookAttempt(
        job.job_id,
        record,
        last
          ? {
              delivered,
              retryCount: attempt - 1,
              ...(delivered ? { deliveredAt: new Date(ports().clock.now()).toISOString() } : {}),
            }
          : undefined,
      ),
      ports().analytics.recordEvent({
        type: 'webhook_attempt',
        job_id: job.job_id,
        owner: job.owner,
        at: record.at,
        details: { ...record },
      }),
    ]);
    if (delivered) return;
  }
  log.warn('webhook not delivered after every retry', { jobId: job.job_id, url: job.webhook_url });
};

/**
 * Finishes a webhook a crash left unsent: claims the delivery of a finished job whose webhook has not
 * gone out and sends it. Does nothing when there is none to send or another worker is sending it.
 */
export const deliverPendingWebhook = async (jobId: string): Promise<void> => {
  const claimed = await ports().jobs.claimWebhookDelivery(jobId, ports().clock.now(), webhookLeaseMs());
  if (claimed) await deliverWebhook(claimed);
};
