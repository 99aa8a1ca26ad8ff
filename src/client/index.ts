/**
 * podpdf's TypeScript client: every endpoint of the HTTP API (ENDPOINTS.md) on `fetch`, typed from the
 * same schemas the server validates with. Only types come from the server's modules, so the client
 * pulls in no server code; its one runtime dependency is `standardwebhooks`, for `verifyWebhook`.
 *
 * @example
 * import { createClient } from 'podpdf/client';
 * const podpdf = createClient({ baseUrl: process.env.PODPDF_API_URL, apiKey: process.env.PODPDF_API_KEY });
 * const { pdf, pages } = await podpdf.quickjob({ input_type: 'html', html: '<h1>Hello</h1>' });
 */
import type * as z from 'zod';
import type { JobList, JobView } from '../app/jobs.ts';
import type { longjobRequestSchema, quickjobRequestSchema } from '../domain/render-request.ts';
import { errorFromResponse, PodpdfApiError } from './errors.ts';

export { PodpdfApiError, parseRetryAfter } from './errors.ts';
export {
  verifyWebhook,
  type WebhookHeaders,
  type WebhookPayload,
  WebhookVerificationError,
} from './webhook.ts';

/** The body of `POST /quickjob`, as sent (defaults optional). */
export type QuickjobInput = z.input<typeof quickjobRequestSchema>;
/** The body of `POST /longjob`: a quick job's plus `webhook_url` and `dedupe`. */
export type LongjobInput = z.input<typeof longjobRequestSchema>;
export type { JobList, JobView };
export type JobStatus = 'queued' | 'processing' | 'completed' | 'failed' | 'timeout' | 'cancelled';

/** Statuses a job never leaves (a failed long job leaves only through `retryJob`). */
export const TERMINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'timeout', 'cancelled'];

export interface QuickjobResult {
  pdf: Uint8Array;
  /** `X-PDF-Pages`: pages in the PDF (at most 100). */
  pages: number;
  /** `X-PDF-Truncated`: the document was cut to its first 100 pages. */
  truncated: boolean;
  jobId: string;
  requestId: string | null;
}

/** The `202` of `POST /longjob` (and of a quick job continued as a long one). */
export interface LongjobAccepted {
  job_id: string;
  status: string;
  message: string;
  estimated_completion: string | null;
  deduped_from?: string;
}

/** `POST /quickjob` with `Prefer: respond-async` answered `202`: the render continues as a long job. */
export interface QuickjobContinued {
  async: true;
  accepted: LongjobAccepted;
  requestId: string | null;
}

export interface Account {
  user_id: string;
  name: string;
  created_at: string;
  webhook: { url: string | null; signing_secret_set: boolean; disabled: unknown };
  plan: { rate_per_second: number; burst: number; monthly_pdfs: number; max_active_jobs: number };
  usage: {
    period: string;
    pdfs_used: number;
    pdfs_remaining: number;
    resets_at: string;
    active_jobs: number;
  };
}

export interface ClientOptions {
  /** The API's base URL, e.g. `http://127.0.0.1:3000` or the stage's API Gateway URL. */
  baseUrl: string;
  apiKey: string;
  /** A `fetch` of your own (undici's, a test double); the global one by default. */
  fetch?: typeof fetch;
}

export interface WaitOptions {
  /** Stops waiting: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** First pause between polls. @default 500 */
  intervalMs?: number;
  /** Pauses grow by half each poll up to this. @default 5000 */
  maxIntervalMs?: number;
  /** Called with every job view polled (a status line, a progress bar). */
  onPoll?: (job: JobView) => void;
}

export interface ListOptions {
  status?: JobStatus;
  /** Jobs changed at or after this instant, oldest change first. */
  since?: string | Date;
  /** Jobs per page (1 to 100). @default 20 */
  limit?: number;
  /** Start from this page's cursor instead of the first page. */
  cursor?: string;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

interface SendInit {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  redirect?: 'follow' | 'manual';
}

const jobPath = (jobId: string, rest = ''): string => `/jobs/${encodeURIComponent(jobId)}${rest}`;

export class PodpdfClient {
  readonly baseUrl: string;
  readonly #apiKey: string;
  readonly #fetch: typeof fetch;

  constructor(options: ClientOptions) {
    if (!options.baseUrl) throw new TypeError('baseUrl is required (e.g. http://127.0.0.1:3000)');
    if (!options.apiKey) throw new TypeError('apiKey is required');
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#apiKey = options.apiKey;
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  /** One request; an answer outside 2xx (and 3xx when `redirect` is manual) becomes a PodpdfApiError. */
  async #send(method: string, path: string, init: SendInit = {}): Promise<Response> {
    const response = await this.#fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.#apiKey}`,
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...init.headers,
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      ...(init.signal ? { signal: init.signal } : {}),
      redirect: init.redirect ?? 'follow',
    });
    const ok = response.ok || (init.redirect === 'manual' && response.status >= 300 && response.status < 400);
    if (!ok) throw await errorFromResponse(response);
    return response;
  }

  async #json<T>(method: string, path: string, init: SendInit = {}): Promise<T> {
    return (await (await this.#send(method, path, init)).json()) as T;
  }

  /**
   * `POST /quickjob`: renders now and returns the PDF. With `{ respondAsync: true }` a document too
   * big or slow for a quick job comes back as `{ async: true, accepted }` instead of an error.
   */
  quickjob(
    body: QuickjobInput,
    options?: { signal?: AbortSignal; respondAsync?: false },
  ): Promise<QuickjobResult>;
  quickjob(
    body: QuickjobInput,
    options: { signal?: AbortSignal; respondAsync: true; idempotencyKey?: string },
  ): Promise<QuickjobResult | QuickjobContinued>;
  async quickjob(
    body: QuickjobInput,
    options: { signal?: AbortSignal; respondAsync?: boolean; idempotencyKey?: string } = {},
  ): Promise<QuickjobResult | QuickjobContinued> {
    const headers: Record<string, string> = {};
    if (options.respondAsync) headers.prefer = 'respond-async';
    if (options.respondAsync && options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
    const response = await this.#send('POST', '/quickjob', {
      body,
      headers,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const requestId = response.headers.get('x-request-id');
    if (response.status === 202)
      return { async: true, accepted: (await response.json()) as LongjobAccepted, requestId };
    return {
      pdf: new Uint8Array(await response.arrayBuffer()),
      pages: Number(response.headers.get('x-pdf-pages')),
      truncated: response.headers.get('x-pdf-truncated') === 'true',
      jobId: response.headers.get('x-job-id') ?? '',
      requestId,
    };
  }

  /** `POST /longjob`: queues a render; returns the `202` body. */
  longjob(body: LongjobInput, options: { idempotencyKey?: string; signal?: AbortSignal } = {}) {
    return this.#json<LongjobAccepted>('POST', '/longjob', {
      body,
      headers: options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {},
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /** `GET /jobs/{id}`: the job, with a fresh `s3_url` when it has a PDF. */
  getJob(jobId: string, options: { signal?: AbortSignal } = {}): Promise<JobView> {
    return this.#json<JobView>('GET', jobPath(jobId), options.signal ? { signal: options.signal } : {});
  }

  /** `GET /jobs` once: one page, with its `next_cursor`. */
  listJobsPage(options: ListOptions = {}): Promise<JobList> {
    const query = new URLSearchParams();
    if (options.limit !== undefined) query.set('limit', String(options.limit));
    if (options.status) query.set('status', options.status);
    if (options.since !== undefined)
      query.set('since', options.since instanceof Date ? options.since.toISOString() : options.since);
    if (options.cursor) query.set('cursor', options.cursor);
    const search = query.size ? `?${query}` : '';
    return this.#json<JobList>('GET', `/jobs${search}`);
  }

  /**
   * `GET /jobs` page by page, following `next_cursor` until the last page.
   *
   * @example
   * for await (const page of podpdf.listJobs({ status: 'failed', limit: 50 }))
   *   for (const job of page.jobs) console.log(job.job_id, job.error_code);
   */
  async *listJobs(options: ListOptions = {}): AsyncGenerator<JobList, void, undefined> {
    let cursor = options.cursor;
    for (;;) {
      const page = await this.listJobsPage({ ...options, ...(cursor ? { cursor } : {}) });
      yield page;
      if (!page.next_cursor) return;
      cursor = page.next_cursor;
    }
  }

  /**
   * Polls `GET /jobs/{id}` with a growing pause until the job is completed, failed, timed out or
   * cancelled, and returns that view. It does not throw for a failed job: look at `status`.
   */
  async waitForJob(jobId: string, options: WaitOptions = {}): Promise<JobView> {
    const { signal, onPoll } = options;
    const maxIntervalMs = options.maxIntervalMs ?? 5000;
    let interval = Math.min(options.intervalMs ?? 500, maxIntervalMs);
    for (;;) {
      signal?.throwIfAborted();
      const job = await this.getJob(jobId, signal ? { signal } : {});
      onPoll?.(job);
      if (TERMINAL_STATUSES.includes(job.status as JobStatus)) return job;
      await sleep(interval, signal);
      interval = Math.min(Math.ceil(interval * 1.5), maxIntervalMs);
    }
  }

  /** `DELETE /jobs/{id}`: cancels a queued long job; returns it, `cancelled`. */
  cancelJob(jobId: string): Promise<JobView> {
    return this.#json<JobView>('DELETE', jobPath(jobId));
  }

  /** `POST /jobs/{id}/retry`: runs a failed long job again under the same id. */
  retryJob(jobId: string): Promise<JobView> {
    return this.#json<JobView>('POST', jobPath(jobId, '/retry'));
  }

  /** `POST /jobs/{id}/webhook/redeliver`: sends the job's webhook again. */
  redeliverWebhook(jobId: string): Promise<{ job_id: string; webhook: { round: number; status: string } }> {
    return this.#json('POST', jobPath(jobId, '/webhook/redeliver'));
  }

  /**
   * The PDF of a completed long job: `GET /jobs/{id}/download`, then its `302` to the presigned URL,
   * fetched without the API key (the URL carries its own signature).
   */
  async download(jobId: string, options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    const signal = options.signal ? { signal: options.signal } : {};
    const redirect = await this.#send('GET', jobPath(jobId, '/download'), { redirect: 'manual', ...signal });
    const location = redirect.headers.get('location');
    await redirect.body?.cancel();
    if (!location)
      throw new PodpdfApiError({
        code: `HTTP_${redirect.status}`,
        status: redirect.status,
        message: 'The download answered without a Location.',
        requestId: redirect.headers.get('x-request-id'),
      });
    const file = await this.#fetch(new URL(location, this.baseUrl), signal);
    if (!file.ok)
      throw new PodpdfApiError({
        code: 'DOWNLOAD_FAILED',
        status: file.status,
        message: `The PDF could not be fetched from storage (HTTP ${file.status}).`,
      });
    return new Uint8Array(await file.arrayBuffer());
  }

  /** `GET /accounts/me`: the account, its webhook settings, plan and usage. */
  getAccount(): Promise<Account> {
    return this.#json<Account>('GET', '/accounts/me');
  }

  /** `PUT /accounts/me/webhook`: `signing_secret` is set only the first time (keep it). */
  setWebhook(url: string): Promise<{ url: string; signing_secret: string | null }> {
    return this.#json('PUT', '/accounts/me/webhook', { body: { url } });
  }

  /** `DELETE /accounts/me/webhook`: no default webhook any more; the secret stays. */
  async deleteWebhook(): Promise<void> {
    await (await this.#send('DELETE', '/accounts/me/webhook')).body?.cancel();
  }

  /** `POST /accounts/me/webhook/rotate-secret`: a new signing secret, in force at once. */
  rotateWebhookSecret(): Promise<{ signing_secret: string }> {
    return this.#json('POST', '/accounts/me/webhook/rotate-secret');
  }
}

/** Same as `new PodpdfClient(options)`. */
export const createClient = (options: ClientOptions): PodpdfClient => new PodpdfClient(options);
