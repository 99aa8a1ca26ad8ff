// First: starts Chromium while the rest of the bundle loads.
import '../renderer/prewarm.ts';
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { continueAsLongjob, preflightQuickjob } from '../app/async-fallback.ts';
import { authenticate } from '../app/auth.ts';
import { health } from '../app/health.ts';
import type { SubmittedJob } from '../app/longjob-submit.ts';
import { admit, admitPdfRequest } from '../app/metering.ts';
import { runQuickjob } from '../app/quickjob.ts';
import { assertSourceAllowed } from '../app/source-check.ts';
import { pdfContentDisposition } from '../domain/content-disposition.ts';
import { MAX_REQUEST_BODY_BYTES } from '../domain/limits.ts';
import { quickjobRequestSchema } from '../domain/render-request.ts';
import { parseWith } from '../domain/validation.ts';
import { httpHandler } from '../http/handler.ts';
import { prefersAsync } from '../http/prefer.ts';
import { header, readJsonBody } from '../http/request.ts';
import { acceptedJobResponse, jsonResponse, pdfResponse } from '../http/response.ts';
import type { RenderedPdf } from '../renderer/render.ts';
import { Timings } from '../util/timings.ts';

/**
 * GET /health: anyone gets the shallow answer; `?deep=true` needs an API key and checks DynamoDB, S3,
 * SQS and Chromium (this function carries Chromium, hence the route is here). 503 when degraded.
 */
const healthRoute = async (event: APIGatewayProxyEventV2, headers: Record<string, string>) => {
  const deep = event.queryStringParameters?.deep === 'true';
  if (deep) await admit(await authenticate(event), headers, false);
  const answer = await health(deep);
  return jsonResponse(answer.status === 'ok' ? 200 : 503, answer, { 'cache-control': 'no-store' });
};

/**
 * POST /quickjob: HTML in, PDF out inline, within 30 s. The answer, PDF or error, carries a
 * Server-Timing header with the request's spans (auth, validate, admit, page, load, print, count, record, total).
 * With `Prefer: respond-async`, a document too complex for the estimate or a render past the deadline
 * is answered 202 with a long job for the same request (`Preference-Applied: respond-async`) instead
 * of 422 or 408.
 */
export const handler = httpHandler(async (event, context, headers) => {
  if (event.routeKey === 'GET /health') return healthRoute(event, headers);
  const startedAt = Date.now();
  const remainingMs = context.getRemainingTimeInMillis();
  const timings = new Timings();
  const respondAsync = prefersAsync(header(event, 'prefer'));
  const idempotencyKey = header(event, 'idempotency-key');
  let continued: SubmittedJob | undefined;
  try {
    const account = await timings.time('auth', () => authenticate(event));
    const {
      request: { request, estimate, continueAsLongjob: tooComplex },
      admission,
    } = await admitPdfRequest(
      account,
      headers,
      () =>
        timings.time('validate', async () => {
          const parsed = parseWith(quickjobRequestSchema, readJsonBody(event, MAX_REQUEST_BODY_BYTES));
          await assertSourceAllowed(parsed.input);
          return { request: parsed, ...preflightQuickjob(parsed, respondAsync) };
        }),
      timings,
      ({ request: parsed }) => !parsed.test,
    );
    const goAsync = async (): Promise<SubmittedJob> => {
      continued = await continueAsLongjob(account, request, idempotencyKey, (await admission).period);
      headers['preference-applied'] = 'respond-async';
      return continued;
    };
    if (tooComplex) return acceptedJobResponse(await goAsync(), headers);
    const jobId = randomUUID();
    let rendered: RenderedPdf;
    try {
      rendered = await runQuickjob(account, request, {
        jobId,
        startedAt,
        remainingMs,
        estimate,
        timings,
        admission,
        onRecorded: () => {
          headers['x-job-id'] = jobId;
        },
        ...(respondAsync ? { continueAsync: async () => (await goAsync()).job_id } : {}),
      });
    } catch (err) {
      // The render passed the deadline and the request went on as a long job: the 408 is not the answer.
      if (continued) return acceptedJobResponse(continued, headers);
      throw err;
    }
    const { file, pages, truncated } = rendered;
    return pdfResponse(file, {
      'content-disposition': pdfContentDisposition(jobId, request.options.filename),
      'x-pdf-pages': String(pages),
      'x-pdf-truncated': String(truncated),
    });
  } finally {
    headers['server-timing'] = timings.header();
  }
});
