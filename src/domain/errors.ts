/**
 * The one error type the API speaks. Every failure a client can see is a PodpdfError with a stable
 * `code`; anything else is an internal fault and is shown to the client only as INTERNAL_ERROR.
 */
export const ErrorCode = {
  INVALID_JSON: 'INVALID_JSON',
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  UNAUTHORIZED: 'UNAUTHORIZED',
  NOT_FOUND: 'NOT_FOUND',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  PDF_TOO_LARGE: 'PDF_TOO_LARGE',
  QUICKJOB_TOO_COMPLEX: 'QUICKJOB_TOO_COMPLEX',
  QUICKJOB_TIMEOUT: 'QUICKJOB_TIMEOUT',
  INVALID_PAGE_RANGES: 'INVALID_PAGE_RANGES',
  IMAGE_TOO_LARGE: 'IMAGE_TOO_LARGE',
  DOCUMENT_TOO_COMPLEX: 'DOCUMENT_TOO_COMPLEX',
  RENDER_FAILED: 'RENDER_FAILED',
  RENDER_MEMORY_EXCEEDED: 'RENDER_MEMORY_EXCEEDED',
  RENDERER_UNAVAILABLE: 'RENDERER_UNAVAILABLE',
  INTERNAL_ERROR: 'INTERNAL_ERROR',
  IDEMPOTENCY_CONFLICT: 'IDEMPOTENCY_CONFLICT',
  INVALID_IDEMPOTENCY_KEY: 'INVALID_IDEMPOTENCY_KEY',
  JOB_NOT_CANCELLABLE: 'JOB_NOT_CANCELLABLE',
  JOB_NOT_RETRYABLE: 'JOB_NOT_RETRYABLE',
  INVALID_CURSOR: 'INVALID_CURSOR',
  INVALID_QUERY: 'INVALID_QUERY',
  WEBHOOK_URL_REFUSED: 'WEBHOOK_URL_REFUSED',
  ENQUEUE_FAILED: 'ENQUEUE_FAILED',
  STORAGE_FAILED: 'STORAGE_FAILED',
  RENDER_TIMEOUT: 'RENDER_TIMEOUT',
  PROCESSING_FAILED: 'PROCESSING_FAILED',
  PROCESSING_STALLED: 'PROCESSING_STALLED',
  SUBMISSION_LOST: 'SUBMISSION_LOST',
  INPUT_MISSING: 'INPUT_MISSING',
  FILE_EXPIRED: 'FILE_EXPIRED',
  IDEMPOTENCY_IN_PROGRESS: 'IDEMPOTENCY_IN_PROGRESS',
  JOB_NOT_READY: 'JOB_NOT_READY',
  WAIT_FAILED: 'WAIT_FAILED',
  CONSOLE_EXCEPTION: 'CONSOLE_EXCEPTION',
  RESOURCE_LOADING_FAILED: 'RESOURCE_LOADING_FAILED',
  URL_NOT_ALLOWED: 'URL_NOT_ALLOWED',
  SOURCE_HTTP_ERROR: 'SOURCE_HTTP_ERROR',
  SOURCE_UNREACHABLE: 'SOURCE_UNREACHABLE',
  RATE_LIMITED: 'RATE_LIMITED',
  QUOTA_EXCEEDED: 'QUOTA_EXCEEDED',
  TOO_MANY_ACTIVE_JOBS: 'TOO_MANY_ACTIVE_JOBS',
  NO_WEBHOOK: 'NO_WEBHOOK',
  WEBHOOK_IN_FLIGHT: 'WEBHOOK_IN_FLIGHT',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * The codes a job row may carry as its `error_code` (and a failure webhook as `error.code`): what a
 * render, a quick job's response or the long-job pipeline ended with. The other codes only answer
 * requests.
 */
export const JOB_FAILURE_CODES = [
  ErrorCode.QUICKJOB_TIMEOUT,
  ErrorCode.RENDER_TIMEOUT,
  ErrorCode.INVALID_PAGE_RANGES,
  ErrorCode.IMAGE_TOO_LARGE,
  ErrorCode.RENDER_MEMORY_EXCEEDED,
  ErrorCode.RENDER_FAILED,
  ErrorCode.RENDERER_UNAVAILABLE,
  ErrorCode.PDF_TOO_LARGE,
  ErrorCode.INPUT_MISSING,
  ErrorCode.VALIDATION_FAILED,
  ErrorCode.ENQUEUE_FAILED,
  ErrorCode.PROCESSING_FAILED,
  ErrorCode.PROCESSING_STALLED,
  ErrorCode.SUBMISSION_LOST,
  ErrorCode.WAIT_FAILED,
  ErrorCode.CONSOLE_EXCEPTION,
  ErrorCode.RESOURCE_LOADING_FAILED,
  ErrorCode.SOURCE_HTTP_ERROR,
  ErrorCode.SOURCE_UNREACHABLE,
] as const;

export type JobFailureCode = (typeof JOB_FAILURE_CODES)[number];

/** What a failed job stores: a code of its own kind and the message built with it. */
export interface JobFailure {
  code: JobFailureCode;
  message: string;
}

export class PodpdfError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  readonly status: number;
  readonly details: unknown;

  constructor(code: C, status: number, message: string, details: unknown = null, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'PodpdfError';
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

const megapixels = (pixels: number): string => `${Number((pixels / 1e6).toFixed(1))} megapixels`;

const LONGJOB_HINT =
  'Submit it to POST /longjob instead: long jobs have no 30 s limit and deliver through S3.';

/** Constructors for every client-visible error, so codes, statuses and wording live in one place. */
export const errors = {
  invalidJson: (reason: string) =>
    new PodpdfError(ErrorCode.INVALID_JSON, 400, 'Request body is not valid JSON.', { reason }),
  validation: (issues: Array<{ path: string; message: string }>) =>
    new PodpdfError(ErrorCode.VALIDATION_FAILED, 400, 'Request body failed validation.', { issues }),
  unsupportedMediaType: (received: string | undefined) =>
    new PodpdfError(
      ErrorCode.UNSUPPORTED_MEDIA_TYPE,
      415,
      'Content-Type must be application/json (or another +json media type).',
      {
        received: received ?? null,
      },
    ),
  unauthorized: (reason: 'missing' | 'unknown') =>
    new PodpdfError(
      ErrorCode.UNAUTHORIZED,
      401,
      reason === 'missing'
        ? 'An API key is required: send "Authorization: Bearer <key>" or "X-API-Key: <key>".'
        : 'The API key is not valid.',
    ),
  notFound: (what: string) => new PodpdfError(ErrorCode.NOT_FOUND, 404, `${what} not found.`),
  methodNotAllowed: (method: string, path: string) =>
    new PodpdfError(ErrorCode.METHOD_NOT_ALLOWED, 405, `${method} is not allowed on ${path}.`),
  payloadTooLarge: (limitBytes: number, receivedBytes: number) =>
    new PodpdfError(
      ErrorCode.PAYLOAD_TOO_LARGE,
      413,
      `Request body is ${receivedBytes} bytes; the limit is ${limitBytes} bytes.`,
      { limit_bytes: limitBytes, received_bytes: receivedBytes },
    ),
  pdfTooLarge: (limitBytes: number, pdfBytes: number, pages: number) =>
    new PodpdfError(
      ErrorCode.PDF_TOO_LARGE,
      413,
      `The PDF is ${pdfBytes} bytes, over the ${limitBytes}-byte limit of an inline response. ${LONGJOB_HINT}`,
      { limit_bytes: limitBytes, pdf_bytes: pdfBytes, pages, use: '/longjob' },
    ),
  tooComplex: (estimatedMs: number, limitMs: number, factors: Record<string, number>) =>
    new PodpdfError(
      ErrorCode.QUICKJOB_TOO_COMPLEX,
      422,
      `This document is estimated to take ${Math.round(estimatedMs / 1000)} s to render, over the ${Math.round(limitMs / 1000)} s quick-job budget. ${LONGJOB_HINT}`,
      { estimated_ms: Math.round(estimatedMs), limit_ms: limitMs, factors, use: '/longjob' },
    ),
  imageTooLarge: (
    image: { source: string; index: number; offset: number; format: string; width: number; height: number },
    limitPixels: number,
  ) =>
    new PodpdfError(
      ErrorCode.IMAGE_TOO_LARGE,
      400,
      `data: image ${image.index} of ${image.source} is a ${image.format} of ${image.width}×${image.height} pixels (${megapixels(image.width * image.height)}), over the ${megapixels(limitPixels)} one image may decode to.`,
      { scope: 'image', ...image, pixels: image.width * image.height, limit_pixels: limitPixels },
    ),
  imagesTooLarge: (images: number, pixels: number, limitPixels: number) =>
    new PodpdfError(
      ErrorCode.IMAGE_TOO_LARGE,
      400,
      `The ${images} distinct data: images of this request decode to ${megapixels(pixels)} in all, over the ${megapixels(limitPixels)} a document's images may add up to.`,
      { scope: 'document', images, pixels, limit_pixels: limitPixels },
    ),
  /** A network image, or a document's network images together, past the decoding limits (found while rendering). */
  loadedImageTooLarge: (
    found: {
      image: { url: string; format: string; width: number; height: number } | undefined;
      images: number;
      pixels: number;
    },
    limitPixels: { image: number; total: number },
  ) => {
    const { image, images, pixels } = found;
    return image
      ? new PodpdfError(
          ErrorCode.IMAGE_TOO_LARGE,
          422,
          `The image at ${image.url.slice(0, 200)} is a ${image.format} of ${image.width}×${image.height} pixels (${megapixels(pixels)}), over the ${megapixels(limitPixels.image)} one image may decode to; it was not loaded and the render was stopped.`,
          { scope: 'loaded-image', ...image, pixels, limit_pixels: limitPixels.image },
        )
      : new PodpdfError(
          ErrorCode.IMAGE_TOO_LARGE,
          422,
          `The ${images} distinct images this document loaded decode to ${megapixels(pixels)} in all, over the ${megapixels(limitPixels.total)} a document's images may add up to; the render was stopped.`,
          { scope: 'loaded-images', images, pixels, limit_pixels: limitPixels.total },
        );
  },
  documentTooComplex: (source: string, measure: 'elements' | 'depth', found: number, limit: number) =>
    new PodpdfError(
      ErrorCode.DOCUMENT_TOO_COMPLEX,
      400,
      measure === 'elements'
        ? `${source} has ${found} elements; at most ${limit} are accepted.`
        : `${source} nests elements ${found} deep; at most ${limit} levels are accepted.`,
      { source, [measure]: found, limit },
    ),
  quickjobTimeout: (limitMs: number, renderBudgetMs: number, waitingFor: string | undefined) =>
    new PodpdfError(
      ErrorCode.QUICKJOB_TIMEOUT,
      408,
      `Rendering did not finish within the ${Math.round(limitMs / 1000)} s quick-job limit${waitingFor ? ` (still waiting for ${waitingFor})` : ''}. ${LONGJOB_HINT}`,
      {
        timeout_ms: limitMs,
        render_budget_ms: renderBudgetMs,
        use: '/longjob',
        ...(waitingFor ? { waiting_for: waitingFor } : {}),
      },
    ),
  invalidPageRanges: (pageRanges: string) =>
    new PodpdfError(
      ErrorCode.INVALID_PAGE_RANGES,
      400,
      `options.pageRanges "${pageRanges}" selects no page of this document.`,
      { pageRanges },
    ),
  renderMemoryExceeded: (limitBytes: number) =>
    new PodpdfError(
      ErrorCode.RENDER_MEMORY_EXCEEDED,
      422,
      `Rendering this document needed more than the ${Math.round(limitBytes / 2 ** 20)} MB a document may use; it was stopped. Large images (decoded size) and very many elements are the usual causes.`,
      { limit_bytes: limitBytes },
    ),
  /** A long job's render outlived its invocation (stored, never an HTTP answer). */
  renderTimeout: (waitingFor: string | undefined) =>
    new PodpdfError(
      ErrorCode.RENDER_TIMEOUT,
      408,
      `Rendering did not finish within the processing time limit${waitingFor ? ` (still waiting for ${waitingFor})` : ''}.`,
      waitingFor ? { waiting_for: waitingFor } : null,
    ),
  waitFailed: (wait: string, reason: string) =>
    new PodpdfError(ErrorCode.WAIT_FAILED, 422, `The document's ${wait} could not run: ${reason}`, {
      wait,
      reason,
    }),
  consoleException: (exceptions: string[]) =>
    new PodpdfError(
      ErrorCode.CONSOLE_EXCEPTION,
      422,
      `The document threw an uncaught exception and options.failOnConsoleExceptions is set: ${exceptions[0] ?? ''}`,
      { exceptions },
    ),
  resourceLoadingFailed: (failures: { url: string; reason: string }[], count: number) =>
    new PodpdfError(
      ErrorCode.RESOURCE_LOADING_FAILED,
      422,
      `${count} of the document's resources failed to load and options.failOnResourceLoadingFailed is set.`,
      { count, failures },
    ),
  /** A long job whose HTML was stored in S3 and is gone (stored, never an HTTP answer). */
  inputMissing: () =>
    new PodpdfError(ErrorCode.INPUT_MISSING, 410, 'The stored HTML of this job no longer exists.'),
  /** A long job whose stored options no longer pass the schema (stored, never an HTTP answer). */
  storedOptionsInvalid: () =>
    new PodpdfError(ErrorCode.VALIDATION_FAILED, 400, 'The stored options are not valid.'),
  /** A long job SQS gave up on (stored, never an HTTP answer). */
  processingFailed: () =>
    new PodpdfError(
      ErrorCode.PROCESSING_FAILED,
      500,
      'Processing failed on every delivery attempt SQS allows; the job was given up.',
    ),
  /** A long job whose worker stopped and that nothing resumed (the sweeper; stored, never an HTTP answer). */
  processingStalled: () =>
    new PodpdfError(
      ErrorCode.PROCESSING_STALLED,
      500,
      'Processing stopped without finishing and was not resumed; the job was given up.',
    ),
  /**
   * A long job whose submission died between its row and its queue message, with an input that only
   * the message would have carried (the sweeper; stored, never an HTTP answer).
   */
  submissionLost: () =>
    new PodpdfError(
      ErrorCode.SUBMISSION_LOST,
      500,
      'The submission was interrupted before the job reached the queue, and its input was not kept: submit it again (with a new Idempotency-Key).',
    ),
  webhookSecretMissing: () =>
    new PodpdfError(
      ErrorCode.VALIDATION_FAILED,
      400,
      'Webhooks are signed: create the signing secret first with PUT /accounts/me/webhook or POST /accounts/me/webhook/rotate-secret.',
      { issues: [{ path: 'webhook_url', message: 'the account has no webhook signing secret' }] },
    ),
  urlNotAllowed: (url: string, reason: string) =>
    new PodpdfError(ErrorCode.URL_NOT_ALLOWED, 400, `url ${url} may not be rendered: ${reason}.`, {
      url,
      reason,
    }),
  sourceHttpError: (status: number, url: string) =>
    new PodpdfError(
      ErrorCode.SOURCE_HTTP_ERROR,
      422,
      `The page answered HTTP ${status}; list the status in accept_statuses to print it anyway.`,
      { status, url },
    ),
  sourceUnreachable: (url: string, reason: string) =>
    new PodpdfError(
      ErrorCode.SOURCE_UNREACHABLE,
      422,
      `The page could not be loaded from ${url}: ${reason}.`,
      {
        url,
        reason,
      },
    ),
  rateLimited: (retryAfterSeconds: number, plan: { rate_per_s: number; burst: number }) =>
    new PodpdfError(
      ErrorCode.RATE_LIMITED,
      429,
      `Too many requests: this account may send ${plan.rate_per_s} per second, in bursts of up to ${plan.burst}. Retry after ${retryAfterSeconds} s.`,
      { retry_after_s: retryAfterSeconds, rate_per_s: plan.rate_per_s, burst: plan.burst },
    ),
  quotaExceeded: (limit: number, resetsAt: string) =>
    new PodpdfError(
      ErrorCode.QUOTA_EXCEEDED,
      403,
      `This account has used its ${limit} PDFs for this month; the count starts again at ${resetsAt}.`,
      { limit, resets_at: resetsAt },
    ),
  tooManyActiveJobs: (limit: number) =>
    new PodpdfError(
      ErrorCode.TOO_MANY_ACTIVE_JOBS,
      403,
      `This account has ${limit} long jobs queued or processing, the most it may have at once; submit again when one finishes.`,
      { limit },
    ),
  jobNotReady: (status: string, jobType: string) =>
    new PodpdfError(
      ErrorCode.JOB_NOT_READY,
      409,
      jobType === 'quick'
        ? 'A quick job has no stored PDF: it was the answer to its request.'
        : `This job has no PDF to download: it is ${status}.`,
      { status, job_type: jobType },
    ),
  fileExpired: () =>
    new PodpdfError(ErrorCode.FILE_EXPIRED, 410, 'The PDF was deleted 24 hours after the job completed.'),
  renderFailed: (cause: unknown) =>
    new PodpdfError(ErrorCode.RENDER_FAILED, 502, 'The renderer failed to produce a PDF.', null, cause),
  rendererUnavailable: (cause: unknown) =>
    new PodpdfError(ErrorCode.RENDERER_UNAVAILABLE, 503, 'The renderer could not be started.', null, cause),
  idempotencyConflict: () =>
    new PodpdfError(
      ErrorCode.IDEMPOTENCY_CONFLICT,
      409,
      'This Idempotency-Key was already used with a different request body in the last 24 hours.',
    ),
  idempotencyInProgress: () =>
    new PodpdfError(
      ErrorCode.IDEMPOTENCY_IN_PROGRESS,
      409,
      'A request with this Idempotency-Key is still being accepted; retry in a few seconds.',
    ),
  invalidIdempotencyKey: () =>
    new PodpdfError(
      ErrorCode.INVALID_IDEMPOTENCY_KEY,
      400,
      'Idempotency-Key must be 1 to 255 printable ASCII characters.',
    ),
  notCancellable: (status: string) =>
    new PodpdfError(
      ErrorCode.JOB_NOT_CANCELLABLE,
      409,
      `Only queued jobs can be cancelled; this job is ${status}.`,
      {
        status,
      },
    ),
  noWebhook: () => new PodpdfError(ErrorCode.NO_WEBHOOK, 409, 'This job has no webhook to deliver.'),
  webhookNotReady: (status: string) =>
    new PodpdfError(
      ErrorCode.JOB_NOT_READY,
      409,
      `This job's webhook goes out when it completes or fails; it is ${status}.`,
      { status },
    ),
  webhookInFlight: () =>
    new PodpdfError(
      ErrorCode.WEBHOOK_IN_FLIGHT,
      409,
      "This job's webhook is being sent right now; ask again once that attempt has ended.",
    ),
  notRetryable: (
    job: { status: string; job_type: string },
    reason: 'quick_job' | 'status' | 'input_expired' | 'webhook_pending',
  ) =>
    new PodpdfError(
      ErrorCode.JOB_NOT_RETRYABLE,
      409,
      {
        quick_job: 'Only long jobs can be retried; send the quick job again instead.',
        status: `Only failed long jobs can be retried; this job is ${job.status}.`,
        input_expired:
          'The stored input of this job is gone (inputs are kept for a day); submit the document again.',
        webhook_pending:
          "The failure's webhook is still being delivered; retry once it has ended (webhook_delivered is set).",
      }[reason],
      { status: job.status, job_type: job.job_type, reason },
    ),
  invalidCursor: () =>
    new PodpdfError(ErrorCode.INVALID_CURSOR, 400, 'The cursor is not one this API issued.'),
  invalidQuery: (issues: Array<{ path: string; message: string }>) =>
    new PodpdfError(ErrorCode.INVALID_QUERY, 400, 'Query parameters failed validation.', { issues }),
  webhookUrlRefused: (url: string, reason: string) =>
    new PodpdfError(ErrorCode.WEBHOOK_URL_REFUSED, 400, `Webhook URL refused: ${reason}`, { url, reason }),
  enqueueFailed: (cause: unknown) =>
    new PodpdfError(
      ErrorCode.ENQUEUE_FAILED,
      503,
      'The job could not be queued and was not accepted; it is safe to retry.',
      null,
      cause,
    ),
  redeliveryEnqueueFailed: (cause: unknown) =>
    new PodpdfError(
      ErrorCode.ENQUEUE_FAILED,
      503,
      'The redelivery could not be queued; it is safe to ask again.',
      null,
      cause,
    ),
  retryEnqueueFailed: (cause: unknown) =>
    new PodpdfError(
      ErrorCode.ENQUEUE_FAILED,
      503,
      'The retry could not be queued; the job is unchanged and it is safe to retry.',
      null,
      cause,
    ),
  storageFailed: (cause: unknown) =>
    new PodpdfError(
      ErrorCode.STORAGE_FAILED,
      503,
      'The job could not be stored and was not accepted; it is safe to retry.',
      null,
      cause,
    ),
  internal: (cause: unknown) =>
    new PodpdfError(ErrorCode.INTERNAL_ERROR, 500, 'Internal error.', null, cause),
};

/** Anything thrown becomes a PodpdfError; unknown causes are kept for the log, never shown. */
export const toPodpdfError = (err: unknown): PodpdfError =>
  err instanceof PodpdfError ? err : errors.internal(err);
