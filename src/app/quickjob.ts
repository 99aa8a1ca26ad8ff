import { getConfig } from '../config.ts';
import { errors } from '../domain/errors.ts';
import { estimateRenderMs, type RenderEstimate } from '../domain/estimate.ts';
import { type JobRecord, JobStatus, jobTtl } from '../domain/job.ts';
import {
  MAX_INLINE_PDF_BYTES,
  MAX_PDF_PAGES,
  QUICKJOB_ESTIMATE_LIMIT_MS,
  RESPONSE_RESERVE_MS,
} from '../domain/limits.ts';
import { type QuickjobRequest, type RenderInput, SANDBOX_WATERMARK } from '../domain/render-request.ts';
import { metric } from '../metrics.ts';
import type { RenderedPdf } from '../renderer/render.ts';
import type { Timings } from '../util/timings.ts';
import type { Caller } from './auth.ts';
import { ports } from './ports.ts';
import { renderFailure } from './render-failure.ts';
import { renderDocument } from './render-port.ts';

export interface QuickjobContext {
  jobId: string;
  /** Epoch ms the request arrived. */
  startedAt: number;
  /** Lambda time left at `startedAt`, ms. */
  remainingMs: number;
  /** The pre-flight estimate (none for a URL), kept with a timeout for later tuning. */
  estimate: RenderEstimate | undefined;
  /** Called once the job row is written, so responses name only jobs that exist. */
  onRecorded: () => void;
  /** The request's spans: the renderer's, and `record` (the job row). */
  timings: Timings;
  /**
   * The request's admission (metering.ts), running alongside the render and awaited before the job
   * is recorded: a refusal answers as it is, with no job recorded and the PDF thrown away. A refusal
   * is remembered by the process, so a client over its limit gets at most one such render per window.
   */
  admission: Promise<unknown>;
  /**
   * With `Prefer: respond-async`: submits the request as a long job when the render passes the quick
   * deadline, resolving with the long job's id. The deadline then keeps ASYNC_SUBMIT_RESERVE_MS more
   * back, for the submission to fit the function's time.
   */
  continueAsync?: () => Promise<string>;
}

/** What a long-job submission needs at most in the usual case: S3, DynamoDB and SQS writes, one each. */
export const ASYNC_SUBMIT_RESERVE_MS = 1_000;

/**
 * Rejects, before any job exists, a document the estimate says cannot render within a quick job's
 * budget. Returns the estimate for the job's records.
 */
export const assertFitsQuickjob = (input: RenderInput): RenderEstimate | undefined => {
  // A URL's document is only known once loaded; its render is bounded by the deadline alone.
  if (!('html' in input)) return undefined;
  const estimate = estimateRenderMs(input.html);
  if (estimate.estimatedMs > QUICKJOB_ESTIMATE_LIMIT_MS) {
    throw errors.tooComplex(estimate.estimatedMs, QUICKJOB_ESTIMATE_LIMIT_MS, estimate.factors);
  }
  return estimate;
};

/**
 * Renders a quick job and records it. Every job that reaches the renderer leaves one JobDetails row
 * (`completed`, `failed` or `timeout`); a timeout is also written to Analytics. A timeout continued
 * as a long job (`ctx.continueAsync`) stays a `timeout` row, with `continued_as` naming the long job;
 * when that submission fails, its error is thrown instead of the 408.
 */
export const runQuickjob = async (
  account: Caller,
  request: QuickjobRequest,
  ctx: QuickjobContext,
): Promise<RenderedPdf> => {
  const config = getConfig();
  const capMs = config.PODPDF_QUICKJOB_TIMEOUT_MS;
  const reserveMs = RESPONSE_RESERVE_MS + (ctx.continueAsync ? ASYNC_SUBMIT_RESERVE_MS : 0);
  const deadline = ctx.startedAt + Math.min(capMs, ctx.remainingMs) - reserveMs;
  const createdAt = new Date(ctx.startedAt);
  const row: JobRecord = {
    job_id: ctx.jobId,
    owner: account.user_id,
    job_type: 'quick',
    status: JobStatus.COMPLETED,
    mode: request.input_type,
    created_at: createdAt.toISOString(),
    timeout_occurred: false,
    ttl: jobTtl(createdAt),
    ...(request.test ? { test: true } : {}),
  };
  const finish = async (fields: Partial<JobRecord>) => {
    metric('JobOutcomes', 1, { job_type: 'quick', outcome: fields.error_code ?? 'completed' });
    const completedAt = ports().clock.now();
    await ctx.timings.time('record', () =>
      ports().jobs.insertJob({
        ...row,
        ...fields,
        completed_at: new Date(completedAt).toISOString(),
        duration_ms: completedAt - ctx.startedAt,
      }),
    );
    ctx.onRecorded();
  };

  let rendered: RenderedPdf;
  const renderStarted = ports().clock.now();
  try {
    rendered = await renderDocument(request.input, request.options, {
      deadline,
      maxPages: MAX_PDF_PAGES,
      allowPrivateNetwork: config.PODPDF_ALLOW_PRIVATE_NETWORK,
      streamPdf: false,
      timings: ctx.timings,
      ...(request.test ? { watermark: SANDBOX_WATERMARK } : {}),
    });
  } catch (err) {
    // A refused request is answered as refused, however its render went, with no job.
    const refusal = await ctx.admission.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    if (refusal !== undefined) throw refusal;
    const { error: clientError, timedOut } = renderFailure(err, {
      pageRanges: request.options.pageRanges,
      quickjob: { capMs, budgetMs: deadline - ctx.startedAt },
    });
    const continuation =
      timedOut && ctx.continueAsync
        ? await ctx.continueAsync().then(
            (jobId) => ({ jobId, failed: false, error: undefined }),
            (error: unknown) => ({ jobId: undefined, failed: true, error }),
          )
        : undefined;
    const continuedAs = continuation?.jobId;
    await finish({
      status: timedOut ? JobStatus.TIMEOUT : JobStatus.FAILED,
      timeout_occurred: timedOut,
      error_code: clientError.code,
      error_message: clientError.message,
      ...(continuedAs ? { continued_as: continuedAs } : {}),
    });
    if (timedOut) {
      await ports().analytics.recordEvent({
        type: 'quickjob_timeout',
        job_id: ctx.jobId,
        owner: account.user_id,
        ...(request.test ? { test: true } : {}),
        details: {
          timeout_ms: capMs,
          estimate: ctx.estimate,
          ...(continuedAs ? { continued_as: continuedAs } : {}),
        },
      });
    }
    if (continuation?.failed) throw continuation.error;
    throw clientError;
  }

  await ctx.admission;
  if (rendered.file.byteLength > MAX_INLINE_PDF_BYTES) {
    const tooLarge = errors.pdfTooLarge(MAX_INLINE_PDF_BYTES, rendered.file.byteLength, rendered.pages);
    await finish({ status: JobStatus.FAILED, error_code: tooLarge.code, error_message: tooLarge.message });
    throw tooLarge;
  }
  metric('RenderTime', ports().clock.now() - renderStarted, { job_type: 'quick' });
  metric('Pages', rendered.pages, { job_type: 'quick' });
  await finish({
    status: JobStatus.COMPLETED,
    pages: rendered.pages,
    truncated: rendered.truncated,
    // Recent render times of the account feed the long-job completion estimate.
    render_ms: ports().clock.now() - renderStarted,
  });
  return rendered;
};
