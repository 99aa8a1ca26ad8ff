import { createHash, randomUUID } from 'node:crypto';
import { getConfig } from '../config.ts';
import { estimateCompletion } from '../domain/completion-estimate.ts';
import { errors } from '../domain/errors.ts';
import { type JobRecord, JobStatus, jobTtl } from '../domain/job.ts';
import { longjobMessageBody } from '../domain/longjob-message.ts';
import type { LongjobRequest } from '../domain/render-request.ts';
import { log } from '../log.ts';
import { metric } from '../metrics.ts';
import { webhookUrlPolicyFor, webhookUrlProblem } from '../net/webhook-url-policy.ts';
import { withTimeout } from '../util/with-timeout.ts';
import type { Caller } from './auth.ts';
import { planOf } from './metering.ts';
import { ports } from './ports.ts';
import { assertSourceAllowed } from './source-check.ts';

const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;
/**
 * Each submission step is bounded, so that even when AWS hangs the function (20 s timeout) still has
 * the time to undo what it did and answer 503, instead of being cut off with a row and no message.
 */
const STEP_TIMEOUT_MS = { input: 4_000, row: 2_000, message: 1_000, compensation: 2_000 } as const;

/** Past the longjob function's timeout, a key whose job row never appeared belongs to a dead request. */
const ABANDONED_SUBMISSION_MS = 30_000;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export interface SubmittedJob {
  job_id: string;
  status: string;
  message: string;
  estimated_completion: string | null;
  /** True when an Idempotency-Key replay (or `dedupe`) returned an earlier job. */
  replayed: boolean;
  /** With `dedupe`: the earlier identical job this request was answered with. */
  deduped_from?: string;
}

/** Canonical JSON (sorted keys) so the same request always hashes the same. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );

/** What an Idempotency-Key replay is compared by: the validated request, defaults filled in. */
export const requestHash = (request: LongjobRequest): string =>
  createHash('sha256').update(canonical(request)).digest('hex');

/** What `dedupe` compares: what is rendered and how, not where the result is announced. */
const documentHash = (request: LongjobRequest): string =>
  createHash('sha256')
    // A sandbox job is a different document (watermarked): it never answers for a real one.
    .update(
      canonical({ input: request.input, options: request.options, ...(request.test ? { test: true } : {}) }),
    )
    .digest('hex');

/** An earlier identical job `dedupe` may answer with: one that is, or may still end, completed. */
const reusable = (status: string): boolean => ['queued', 'processing', 'completed'].includes(status);

const resolveWebhook = async (caller: Caller, request: LongjobRequest): Promise<string | undefined> => {
  const account = await ports().accounts.getAccount(caller.user_id);
  const url = request.webhook_url ?? account?.webhook_url;
  if (!url) return undefined;
  if (request.webhook_url) {
    const problem = await webhookUrlProblem(
      request.webhook_url,
      webhookUrlPolicyFor(getConfig().PODPDF_STAGE),
    );
    if (problem) throw errors.webhookUrlRefused(request.webhook_url, problem);
  }
  if (!account?.webhook_secret) {
    throw errors.webhookSecretMissing();
  }
  return url;
};

/** Estimate inputs are re-read at most this often: a burst of submissions pays for them once. */
const ESTIMATE_INPUTS_TTL_MS = 2_000;
const estimateInputs = new Map<string, { at: number; value: Promise<[number, number[]]> }>();

const readEstimateInputs = (owner: string): Promise<[number, number[]]> => {
  const now = ports().clock.now();
  const cached = estimateInputs.get(owner);
  if (cached && now - cached.at < ESTIMATE_INPUTS_TTL_MS) return cached.value;
  const value = Promise.all([ports().queue.queueDepth(), ports().jobs.recentRenderDurations(owner)]);
  estimateInputs.set(owner, { at: now, value });
  value.catch(() => estimateInputs.delete(owner));
  return value;
};

const estimatedCompletion = async (owner: string): Promise<string | null> => {
  try {
    const [depth, durations] = await readEstimateInputs(owner);
    return estimateCompletion({
      now: ports().clock.now(),
      queueDepth: depth,
      recentRenderMs: durations,
      parallelism: getConfig().PODPDF_PROCESSOR_PARALLELISM,
    }).toISOString();
  } catch (err) {
    log.warn('could not estimate completion', { cause: err });
    return null;
  }
};

/**
 * Retries a compensating write a few times; a failure here is logged, the original error wins.
 * Resolves with what the write returned, or FAILED when every try threw.
 */
export const compensate = async <T>(what: string, action: () => Promise<T>): Promise<T | typeof FAILED> => {
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    try {
      return await withTimeout(action(), STEP_TIMEOUT_MS.compensation);
    } catch (err) {
      if (attempt === 3) log.error(`compensation failed: ${what}`, { cause: err });
    }
  }
  return FAILED;
};
export const FAILED = Symbol('compensation failed');

/** A message is sent twice at most: a duplicate is harmless, the processor claims a job once. */
const ENQUEUE_ATTEMPTS = 2;

/** Sends the job's message; resolves with the last error when no attempt was confirmed. */
export const enqueue = async (body: string): Promise<unknown> => {
  let lastError: unknown;
  for (let attempt = 1; attempt <= ENQUEUE_ATTEMPTS; attempt += 1) {
    try {
      await ports().queue.enqueueLongjob(body, AbortSignal.timeout(STEP_TIMEOUT_MS.message));
      return undefined;
    } catch (err) {
      lastError = err ?? new Error('enqueue failed');
    }
  }
  return lastError;
};

/**
 * Accepts a long job without ever losing one: the input goes to S3 (kept for a retry), then
 * the job row (`queued`), then the SQS message (sent again once if it is not confirmed). A step that
 * fails undoes what came before it (a row becomes `failed` with ENQUEUE_FAILED and no webhook) and the
 * client gets a 503 it can retry; a 202 always means a message was queued.
 */
export const submitLongjob = async (
  caller: Caller,
  request: LongjobRequest,
  idempotencyKey: string | undefined,
  /** The month its PDF was counted in (metering.ts): given back when the job is not accepted. */
  period: string,
): Promise<SubmittedJob> => {
  // A sandbox job counted no PDF: there is none to give back.
  const refund = async () =>
    request.test || compensate('give back the PDF', () => ports().usage.refundPdf(caller.user_id, period));
  try {
    const job = await acceptLongjob(caller, request, idempotencyKey);
    // A replay is the job counted the first time.
    if (job.replayed) await refund();
    return job;
  } catch (err) {
    await refund();
    throw err;
  }
};

const acceptLongjob = async (
  caller: Caller,
  request: LongjobRequest,
  idempotencyKey: string | undefined,
): Promise<SubmittedJob> => {
  if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey))
    throw errors.invalidIdempotencyKey();
  await assertSourceAllowed(request.input);
  const webhookUrl = await resolveWebhook(caller, request);
  const jobId = randomUUID();
  const now = new Date(ports().clock.now());

  // `dedupe` (without an Idempotency-Key) keys the record by the document itself.
  const dedupe = idempotencyKey === undefined && request.dedupe;
  const idemKey = dedupe
    ? `${caller.user_id}#dedupe#${documentHash(request)}`
    : idempotencyKey === undefined
      ? undefined
      : `${caller.user_id}#${idempotencyKey}`;
  if (idemKey) {
    const hash = dedupe ? documentHash(request) : requestHash(request);
    const existing = await ports().idempotency.putIdempotencyRecord(
      {
        idempotency_key: idemKey,
        job_id: jobId,
        request_hash: hash,
        created_at: now.getTime(),
        ttl: Math.floor((now.getTime() + IDEMPOTENCY_WINDOW_MS) / 1000),
      },
      IDEMPOTENCY_WINDOW_MS,
    );
    if (existing) {
      if (existing.request_hash !== hash) {
        throw errors.idempotencyConflict();
      }
      const original = await ports().jobs.getJob(existing.job_id);
      if (!original) {
        // The first request is still between its idempotency record and its job row, or died there.
        if (now.getTime() - existing.created_at < ABANDONED_SUBMISSION_MS)
          throw errors.idempotencyInProgress();
        await ports().idempotency.deleteIdempotencyRecord(idemKey, existing.job_id);
        return acceptLongjob(caller, request, idempotencyKey);
      }
      if (dedupe && !reusable(original.status)) {
        // The identical job failed or was cancelled: this request gets a new one.
        await ports().idempotency.deleteIdempotencyRecord(idemKey, existing.job_id);
        return acceptLongjob(caller, request, idempotencyKey);
      }
      if (dedupe)
        return {
          job_id: existing.job_id,
          status: original.status,
          message: 'An identical job from the last 24 hours: this is that job.',
          estimated_completion: null,
          replayed: true,
          deduped_from: existing.job_id,
        };
      return {
        job_id: existing.job_id,
        status: original.status,
        message: 'Replay of an earlier request with the same Idempotency-Key: this is the original job.',
        estimated_completion: null,
        replayed: true,
      };
    }
  }
  const releaseKey = async () => {
    if (idemKey)
      await compensate('free idempotency key', () =>
        ports().idempotency.deleteIdempotencyRecord(idemKey, jobId),
      );
  };

  const { max_active_jobs: maxActive } = planOf(caller);
  const reserved = await ports().usage.reserveActiveJob(caller.user_id, maxActive, () =>
    ports().jobs.countActiveJobs(caller.user_id),
  );
  if (!reserved) {
    metric('Refusals', 1, { reason: 'active_jobs' });
    await releaseKey();
    throw errors.tooManyActiveJobs(maxActive);
  }
  const releaseActive = () =>
    compensate('release the active job', () => ports().usage.releaseActiveJob(caller.user_id));

  const message = longjobMessageBody({ job_id: jobId, owner: caller.user_id }, request.input);
  // Every input is kept (a day, by the bucket's lifecycle) so POST /jobs/{job_id}/retry can run it
  // again; the message still carries what fits, so the processor reads S3 only for larger HTML.
  let inputKey: string;
  try {
    const signal = AbortSignal.timeout(STEP_TIMEOUT_MS.input);
    inputKey =
      'html' in request.input
        ? await ports().blobs.putInput(jobId, request.input.html, signal)
        : await ports().blobs.putSourceInput(jobId, JSON.stringify(request.input.source), signal);
  } catch (err) {
    await releaseActive();
    await releaseKey();
    throw errors.storageFailed(err);
  }

  const row: JobRecord = {
    job_id: jobId,
    owner: caller.user_id,
    active_owner: caller.user_id,
    job_type: 'long',
    status: JobStatus.QUEUED,
    mode: request.input_type,
    options: request.options,
    input_key: inputKey,
    ...(webhookUrl ? { webhook_url: webhookUrl } : {}),
    ...(request.test ? { test: true } : {}),
    created_at: now.toISOString(),
    ttl: jobTtl(now),
  };
  try {
    await ports().jobs.insertJob(row, AbortSignal.timeout(STEP_TIMEOUT_MS.row));
  } catch (err) {
    await compensate('delete orphan input', () => ports().blobs.deleteObject(inputKey));
    await releaseActive();
    await releaseKey();
    throw errors.storageFailed(err);
  }

  const unsent = await enqueue(message.body);
  if (unsent !== undefined) {
    // No send was confirmed, but one that timed out may still have reached the queue. The job is
    // failed while it is still queued, and without its webhook: the client is told it was not
    // accepted, so no message that did arrive may render it or announce it. If a processor already
    // holds it, an unconfirmed send did arrive: the job was accepted after all.
    const failure = errors.enqueueFailed(unsent);
    const failed = await compensate('fail unqueued job', () =>
      ports().jobs.failJob(jobId, failure, { now: ports().clock.now(), withoutWebhook: true }),
    );
    if (failed !== undefined) {
      await releaseActive();
      await releaseKey();
      throw failure;
    }
    log.warn('an unconfirmed send reached the queue: the job is being processed', { jobId });
  }

  log.info('job', {
    job_id: jobId,
    account_id: caller.user_id,
    status: JobStatus.QUEUED,
    mode: request.input_type,
  });
  return {
    job_id: jobId,
    status: JobStatus.QUEUED,
    message: 'Job queued for processing',
    estimated_completion: await estimatedCompletion(caller.user_id),
    replayed: false,
  };
};
