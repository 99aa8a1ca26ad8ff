import { Webhook } from 'standardwebhooks';
import { getConfig } from '../config.ts';
import type { JobRecord, WebhookAttempt } from '../domain/job.ts';
import { bucket } from '../domain/plan.ts';
import { SealedSecretError } from '../domain/sealed-secret.ts';
import {
  breakerCooldownS,
  isBackPressure,
  isDelivered,
  isEndpointFailure,
  isGone,
  MAX_WEBHOOK_DELAY_S,
  retryAfterSeconds,
  type WebhookMessage,
  webhookMessageId,
  webhookPayload,
  webhookRetryDelayS,
} from '../domain/webhook.ts';
import { log } from '../log.ts';
import { metric } from '../metrics.ts';
import { webhookUrlPolicyFor } from '../net/webhook-url-policy.ts';
import { ports } from './ports.ts';
import { secrets } from './secrets-port.ts';
import { webhookPending } from './webhook-handoff.ts';

/**
 * Webhook delivery, in the webhook function only (it alone opens signing secrets): one attempt per
 * receive of a message the hand-off (webhook-handoff.ts) queued. Between attempts the message waits
 * in the queue, its visibility moved to the retry's time, never in a function.
 */

/** How long one attempt may hold the delivery claim: the send's timeout and the writes around it. */
const attemptLeaseMs = (): number => getConfig().PODPDF_WEBHOOK_TIMEOUT_MS + 30_000;

/** A URL presigned this recently (at completion, just before a first delivery) is sent as it is. */
const FRESH_URL_MS = 60_000;

/**
 * The download link the webhook hands out. Presigned at delivery rather than reused from completion
 * when older than FRESH_URL_MS: a retry, a redelivery or a queue delay still hands out a URL good
 * for the full hour.
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
 * The owner's signing secret, decrypted for this attempt only. A stored value that does not open for
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

/** Where one receive of a webhook message leaves it. */
export type DeliveryStep = { done: true } | { done: false; retryInS: number };

const DONE: DeliveryStep = { done: true };

/** The account's own 410 Gone: its default webhook (the job's URL) is turned off. */
const retireDefaultWebhook = async (job: JobRecord & { webhook_url: string }, at: string) => {
  const disabled = await ports().accounts.disableWebhook(job.owner, {
    url: job.webhook_url,
    at,
    job_id: job.job_id,
  });
  if (disabled) log.warn('default webhook turned off: its receiver answered 410 Gone', { jobId: job.job_id });
};

/** Sends one attempt of a claimed delivery and records it; says when to try again, if at all. */
const attempt = async (
  job: JobRecord & { webhook_url: string },
  gate: { probe: boolean; failures: number },
): Promise<DeliveryStep> => {
  const config = getConfig();
  const account = await ports().accounts.getAccount(job.owner);
  if (!account?.webhook_secret) {
    log.error('webhook not sent: the account has no signing secret', { jobId: job.job_id });
    await ports().jobs.finishWebhook(job.job_id, { delivered: false, retryCount: 0 });
    return DONE;
  }
  const secret = await openSigningSecret(job, account.webhook_secret);
  if (secret === undefined) {
    await ports().jobs.finishWebhook(job.job_id, { delivered: false, retryCount: 0 });
    return DONE;
  }
  const round = job.webhook_round ?? 1;
  const number = (job.webhook_retry_log?.length ?? 0) - (job.webhook_round_start ?? 0) + 1;
  const body = JSON.stringify(webhookPayload(job, await downloadFor(job)));
  const messageId = webhookMessageId(job);
  const sentAt = new Date(ports().clock.now());
  const response = await ports().webhooks.postWebhook(
    job.webhook_url,
    body,
    {
      'webhook-id': messageId,
      'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(messageId, sentAt, body),
    },
    { timeoutMs: config.PODPDF_WEBHOOK_TIMEOUT_MS, policy: webhookUrlPolicyFor(config.PODPDF_STAGE) },
  );
  const { statusCode } = response;
  const delivered = statusCode !== undefined && isDelivered(statusCode);
  const retryBaseS =
    delivered || isGone(statusCode)
      ? undefined
      : webhookRetryDelayS(config.PODPDF_WEBHOOK_RETRY_DELAYS_S, number);
  const record: WebhookAttempt = {
    at: sentAt.toISOString(),
    attempt: number,
    ...(round > 1 ? { round } : {}),
    ...(statusCode === undefined ? {} : { status_code: statusCode }),
    ...(response.error === undefined ? {} : { error: response.error }),
    duration_ms: response.durationMs,
  };
  metric('WebhookAttempts', 1, { outcome: delivered ? 'delivered' : 'failed' });
  const now = ports().clock.now();
  const asked = isBackPressure(statusCode) ? retryAfterSeconds(response.retryAfter, now) : undefined;
  const retryInS =
    retryBaseS === undefined ? undefined : Math.min(MAX_WEBHOOK_DELAY_S, Math.max(retryBaseS, asked ?? 0));
  const failed = isEndpointFailure(statusCode);
  await Promise.all([
    ports().jobs.recordWebhookAttempt(
      job.job_id,
      record,
      retryInS === undefined
        ? {
            outcome: {
              delivered,
              retryCount: number - 1,
              ...(delivered ? { deliveredAt: new Date(now).toISOString() } : {}),
            },
          }
        : // A second early, for the clocks of SQS and this function.
          { nextAt: now + retryInS * 1000 - 1_000 },
    ),
    ports().analytics.recordEvent({
      type: 'webhook_attempt',
      job_id: job.job_id,
      owner: job.owner,
      ...(job.test ? { test: true } : {}),
      at: record.at,
      details: { ...record, ...(gate.probe ? { probe: true } : {}) },
    }),
    // A success to a URL with no failures on record changes nothing there: no write.
    (failed || gate.failures > 0 || gate.probe) &&
      ports().webhooks.recordSendOutcome(
        { owner: job.owner, url: job.webhook_url },
        {
          failed,
          now,
          reopenAt:
            now +
            1000 *
              breakerCooldownS(
                gate.failures + 1,
                config.PODPDF_WEBHOOK_BREAKER_FAILURES,
                config.PODPDF_WEBHOOK_BREAKER_COOLDOWN_S,
              ),
        },
      ),
    isGone(statusCode) && account.webhook_url === job.webhook_url
      ? retireDefaultWebhook(job, record.at)
      : undefined,
  ]);
  if (retryInS === undefined) {
    if (!delivered) log.warn('webhook not delivered', { jobId: job.job_id, attempts: number, statusCode });
    return DONE;
  }
  return { done: false, retryInS };
};

/**
 * A message whose attempt could not be claimed. Its round over (sent, given up, replaced by a
 * redelivery): dropped. Otherwise held back until the attempt in flight has ended or the next retry
 * is due: it may be the very message that drives the round, received again, so it is never dropped
 * while the round goes on; a duplicate lives on beside it but never sends early.
 */
const notClaimed = async (message: WebhookMessage, now: number): Promise<DeliveryStep> => {
  const job = await ports().jobs.getJob(message.job_id);
  if (!job || !webhookPending(job) || (job.webhook_round ?? 1) !== message.round) return DONE;
  const until = Math.max(job.webhook_lease_expires_at ?? 0, job.webhook_next_at ?? 0);
  return {
    done: false,
    retryInS: Math.min(MAX_WEBHOOK_DELAY_S, Math.max(1, Math.ceil((until - now) / 1000))),
  };
};

/**
 * One receive of a webhook message: claims the round's next attempt, lets the URL's circuit breaker
 * and send rate admit it (or defers it, without counting an attempt), sends it and records it.
 * `receipt`: when the round's message was first sent (a delivery deferred past
 * PODPDF_WEBHOOK_GIVE_UP_S from then ends undelivered) and how often it has been received.
 */
export const deliverWebhookMessage = async (
  message: WebhookMessage,
  receipt: { queuedAt: number; receives: number },
): Promise<DeliveryStep> => {
  const config = getConfig();
  const now = ports().clock.now();
  const job = await ports().jobs.claimWebhookDelivery(message.job_id, message.round, now, attemptLeaseMs());
  if (!job?.webhook_url) return notClaimed(message, now);
  const claimed = { ...job, webhook_url: job.webhook_url };
  const rate = bucket(
    { rate_per_s: config.PODPDF_WEBHOOK_RATE_PER_S, burst: config.PODPDF_WEBHOOK_RATE_BURST },
    now,
  );
  const admission = await ports().webhooks.admitSend(
    { owner: claimed.owner, url: claimed.webhook_url },
    {
      now,
      threshold: config.PODPDF_WEBHOOK_BREAKER_FAILURES,
      intervalMs: rate.intervalMs,
      latestAdmittedTat: rate.latestAdmittedTat,
      probeLeaseMs: attemptLeaseMs(),
    },
  );
  if (admission.admitted) return attempt(claimed, admission);

  metric('WebhookDeferrals', 1, { reason: admission.reason });
  if (now - receipt.queuedAt >= config.PODPDF_WEBHOOK_GIVE_UP_S * 1000) {
    log.warn('webhook not delivered: its receiver stayed unavailable', { jobId: job.job_id });
    const made = (job.webhook_retry_log?.length ?? 0) - (job.webhook_round_start ?? 0);
    await ports().jobs.finishWebhook(job.job_id, { delivered: false, retryCount: Math.max(0, made - 1) });
    return DONE;
  }
  await ports().jobs.releaseWebhookDelivery(job.job_id);
  // Deliveries held back by one URL's rate would all wake for its next free slot: they are spread,
  // further apart the more often each was held back, so a backlog drains within the receives a
  // message is allowed.
  const spreadS =
    admission.reason === 'rate' ? Math.round(Math.min(60, receipt.receives) * (0.5 + Math.random())) : 0;
  const waitS = Math.max(Math.ceil(admission.waitMs / 1000), spreadS);
  return { done: false, retryInS: Math.min(MAX_WEBHOOK_DELAY_S, waitS) };
};
