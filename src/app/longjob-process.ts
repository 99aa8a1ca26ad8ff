import { randomUUID } from 'node:crypto';
import { getConfig } from '../config.ts';
import { errors, type JobFailure } from '../domain/errors.ts';
import { type JobRecord, TERMINAL_STATUSES } from '../domain/job.ts';
import { MAX_PDF_PAGES } from '../domain/limits.ts';
import type { LongjobMessage } from '../domain/longjob-message.ts';
import { type RenderInput, renderOptionsSchema, SANDBOX_WATERMARK } from '../domain/render-request.ts';
import { log } from '../log.ts';
import { metric } from '../metrics.ts';
import { afterLongjobFailed } from './job-failed.ts';
import { whileStoring } from './job-stage.ts';
import { ports } from './ports.ts';
import { renderFailure } from './render-failure.ts';
import { renderDocument } from './render-port.ts';
import { storedInput } from './stored-input.ts';
import { handOffWebhook } from './webhook-handoff.ts';

/** `done`: the message may be deleted. `retry`: leave it to SQS to deliver again. */
export type MessageOutcome = 'done' | 'retry';

/** A job that cannot be rendered as stored: failing it is final, retrying would fail the same way. */
class DocumentError extends Error {
  readonly failure: JobFailure;
  constructor(failure: JobFailure) {
    super(failure.message);
    this.failure = failure;
  }
}

/** The stored failure for `err` when it is final for the job, undefined when a redelivery may succeed. */
const finalFailure = (err: unknown, job: JobRecord): JobFailure | undefined => {
  if (err instanceof DocumentError) return err.failure;
  const pageRanges = (job.options as { pageRanges?: string } | undefined)?.pageRanges;
  const { error, final } = renderFailure(err, { pageRanges });
  return final ? error : undefined;
};

/** What to render: the message's page or HTML; without either, the input stored in S3 at the row's `input_key`. */
const inputOf = async (job: JobRecord, message: LongjobMessage): Promise<RenderInput> => {
  if (message.source) return { source: message.source };
  if (message.html) return { html: message.html };
  const input = await storedInput(job);
  if (!input) throw new DocumentError(errors.inputMissing());
  return input;
};

const render = async (job: JobRecord, message: LongjobMessage, invocationDeadline: number) => {
  const config = getConfig();
  const input = await inputOf(job, message);
  const options = renderOptionsSchema.safeParse(job.options ?? {});
  if (!options.success) throw new DocumentError(errors.storedOptionsInvalid());
  const started = ports().clock.now();
  const rendered = await renderDocument(input, options.data, {
    deadline: invocationDeadline - config.PODPDF_PROCESSOR_RESERVE_MS,
    maxPages: MAX_PDF_PAGES,
    allowPrivateNetwork: config.PODPDF_ALLOW_PRIVATE_NETWORK,
    streamPdf: true,
    ...(job.test ? { watermark: SANDBOX_WATERMARK } : {}),
  });
  return { ...rendered, renderMs: ports().clock.now() - started, filename: options.data.filename };
};

/**
 * A claim of a dead worker can outlive the message's visibility by the time the queue took to invoke
 * it; a lease about to run out is waited for rather than spending one of the message's receives.
 */
const LEASE_WAIT_MAX_MS = 30_000;

/** The claim's length: never past this invocation, which is the longest the worker can live. */
const leaseMs = (invocationDeadline: number): number =>
  Math.max(1, Math.min(getConfig().PODPDF_LEASE_MS, invocationDeadline - ports().clock.now()));

class WebhookHandOffError extends Error {
  constructor(cause: unknown) {
    super('the webhook could not be queued', { cause });
  }
}

/**
 * Hands a finished job's webhook to the webhook queue. A refused send throws, so the message is
 * redelivered and, finding the job finished, hands it off again.
 */
const handOff = async (job: JobRecord): Promise<void> => {
  try {
    await handOffWebhook(job);
  } catch (err) {
    throw new WebhookHandOffError(err);
  }
};

/** What to do with a message whose job this worker could not claim (`job`: its current row). */
const handleUnclaimed = async (jobId: string, job: JobRecord | undefined): Promise<MessageOutcome> => {
  if (!job) {
    log.warn('message for a job that does not exist', { jobId });
    return 'done';
  }
  // A worker that finished the job but died before handing its webhook off leaves that to this message.
  if (TERMINAL_STATUSES.includes(job.status)) await handOffWebhook(job);
  // Someone holds a live claim: if that worker dies, this message must still be around to take over.
  return job.status === 'processing' ? 'retry' : 'done';
};

/**
 * Claims the job, waiting out a lease that ends within LEASE_WAIT_MAX_MS. When it cannot be claimed,
 * returns the row as last read instead.
 */
const claim = async (
  jobId: string,
  token: string,
  invocationDeadline: number,
): Promise<{ claimed: JobRecord } | { current: JobRecord | undefined }> => {
  const claimed = await ports().jobs.claimJob(jobId, token, ports().clock.now(), leaseMs(invocationDeadline));
  if (claimed) return { claimed };
  const current = await ports().jobs.getJob(jobId);
  const wait = (current?.lease_expires_at ?? 0) - ports().clock.now();
  if (
    current?.status !== 'processing' ||
    wait > LEASE_WAIT_MAX_MS ||
    wait >= invocationDeadline - ports().clock.now()
  ) {
    return { current };
  }
  await ports().clock.sleep(Math.max(0, wait) + 10);
  const retried = await ports().jobs.claimJob(jobId, token, ports().clock.now(), leaseMs(invocationDeadline));
  return retried ? { claimed: retried } : { current: await ports().jobs.getJob(jobId) };
};

/**
 * Processes one queue message at least once, rendering at most once: claim the job (a duplicate or a
 * cancelled job is skipped), render, store the PDF, mark it completed and deliver the webhook. Bad
 * documents fail the job; anything else gives the claim back and lets SQS redeliver.
 * `invocationDeadline` is when the Lambda invocation ends (epoch ms).
 */
export const processLongjobMessage = async (
  message: LongjobMessage,
  invocationDeadline: number,
): Promise<MessageOutcome> => {
  const token = randomUUID();
  const attempt = await claim(message.job_id, token, invocationDeadline);
  if (!('claimed' in attempt)) return handleUnclaimed(message.job_id, attempt.current);
  const { claimed } = attempt;
  if (claimed.attempts === 1)
    metric('QueueLag', ports().clock.now() - Date.parse(claimed.created_at), { job_type: 'long' });
  log.info('job', {
    job_id: claimed.job_id,
    account_id: claimed.owner,
    status: claimed.status,
    attempt: claimed.attempts,
  });

  try {
    const rendered = await render(claimed, message, invocationDeadline);
    const key = await whileStoring(claimed.job_id, token, () =>
      ports().blobs.putPdf(claimed.job_id, rendered.file.bytes, rendered.filename),
    );
    const completedAt = new Date(ports().clock.now());
    const download = await ports().blobs.presignPdf(key, completedAt);
    const completed = await ports().jobs.completeJob(
      claimed.job_id,
      token,
      {
        pages: rendered.pages,
        truncated: rendered.truncated,
        s3_key: key,
        s3_url: download.url,
        s3_url_expires_at: download.expiresAt,
        completed_at: completedAt.toISOString(),
        duration_ms: completedAt.getTime() - Date.parse(claimed.created_at),
        render_ms: rendered.renderMs,
      },
      { now: completedAt.getTime() },
    );
    // Lost the claim (the lease ran out and another worker took over): that worker finishes the job.
    if (!completed) return 'done';
    await ports().usage.releaseActiveJob(completed.owner);
    metric('RenderTime', rendered.renderMs, { job_type: 'long' });
    metric('Pages', rendered.pages, { job_type: 'long' });
    metric('JobOutcomes', 1, { job_type: 'long', outcome: 'completed' });
    log.info('job', {
      job_id: completed.job_id,
      account_id: completed.owner,
      status: completed.status,
      pages: completed.pages,
      render_ms: completed.render_ms,
      duration_ms: completed.duration_ms,
    });
    await handOff(completed);
    return 'done';
  } catch (err) {
    // The job is completed; only its webhook is left, for the redelivered message to hand off.
    if (err instanceof WebhookHandOffError) {
      log.warn('the webhook could not be queued; the message will be redelivered', {
        jobId: claimed.job_id,
        cause: err.cause,
      });
      return 'retry';
    }
    const failure = finalFailure(err, claimed);
    if (failure) {
      const now = ports().clock.now();
      const failed = await ports().jobs.failJob(claimed.job_id, failure, { token, now });
      if (failed) {
        await afterLongjobFailed(failed);
        await handOff(failed);
      }
      return 'done';
    }
    log.warn('transient failure; the message will be redelivered', { jobId: claimed.job_id, cause: err });
    await ports()
      .jobs.releaseClaim(claimed.job_id, token)
      .catch((releaseErr: unknown) =>
        log.error('could not release the claim; it expires with its lease', {
          jobId: claimed.job_id,
          cause: releaseErr,
        }),
      );
    return 'retry';
  }
};
