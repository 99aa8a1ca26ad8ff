/**
 * What the API answered when it was not a success: podpdf's `{ error: { code, message, details } }`
 * with its status, request id and, on 429 and some 503s, how long to wait.
 */
export class PodpdfApiError extends Error {
  override readonly name = 'PodpdfApiError';
  /** Stable, for programs: `VALIDATION_FAILED`, `NOT_FOUND`, … (`HTTP_<status>` for a gateway answer). */
  readonly code: string;
  readonly status: number;
  /** The error's `details` object, or `null`. */
  readonly details: Record<string, unknown> | null;
  /** The `X-Request-Id` of the answer (quote it when reporting a problem); `null` for gateway answers. */
  readonly requestId: string | null;
  /** Seconds to wait before sending again, from `Retry-After` (seconds or an HTTP date); else `null`. */
  readonly retryAfter: number | null;

  constructor(init: {
    code: string;
    status: number;
    message: string;
    details?: Record<string, unknown> | null;
    requestId?: string | null;
    retryAfter?: number | null;
  }) {
    super(init.message);
    this.code = init.code;
    this.status = init.status;
    this.details = init.details ?? null;
    this.requestId = init.requestId ?? null;
    this.retryAfter = init.retryAfter ?? null;
  }
}

/** `Retry-After` as seconds: a number of seconds or an HTTP date; `null` when absent or unreadable. */
export const parseRetryAfter = (header: string | null, now = Date.now()): number | null => {
  if (header === null || header.trim() === '') return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The error an unsuccessful response stands for; reads (and so consumes) its body. */
export const errorFromResponse = async (response: Response): Promise<PodpdfApiError> => {
  const text = await response.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const common = {
    status: response.status,
    requestId: response.headers.get('x-request-id'),
    retryAfter: parseRetryAfter(response.headers.get('retry-after')),
  };
  const error = isRecord(body) ? body.error : undefined;
  if (isRecord(error) && typeof error.code === 'string')
    return new PodpdfApiError({
      ...common,
      code: error.code,
      message: typeof error.message === 'string' ? error.message : error.code,
      details: isRecord(error.details) ? error.details : null,
    });
  // API Gateway's own answers ({"message": "Not Found"}) and anything else not in podpdf's shape.
  const message = isRecord(body) && typeof body.message === 'string' ? body.message : text.slice(0, 200);
  return new PodpdfApiError({
    ...common,
    code: `HTTP_${response.status}`,
    message: message || `HTTP ${response.status}`,
  });
};
