// First: starts Chromium while the rest of the bundle loads.
import '../renderer/prewarm.ts';
import { randomUUID } from 'node:crypto';
import { authenticate } from '../app/auth.ts';
import { admitPdfRequest } from '../app/metering.ts';
import { assertFitsQuickjob, runQuickjob } from '../app/quickjob.ts';
import { assertSourceAllowed } from '../app/source-check.ts';
import { pdfContentDisposition } from '../domain/content-disposition.ts';
import { MAX_REQUEST_BODY_BYTES } from '../domain/limits.ts';
import { quickjobRequestSchema } from '../domain/render-request.ts';
import { parseWith } from '../domain/validation.ts';
import { httpHandler } from '../http/handler.ts';
import { readJsonBody } from '../http/request.ts';
import { pdfResponse } from '../http/response.ts';
import { Timings } from '../util/timings.ts';

/**
 * POST /quickjob: HTML in, PDF out inline, within 30 s. The answer, PDF or error, carries a
 * Server-Timing header with the request's spans (auth, validate, admit, page, load, print, count, record, total).
 */
export const handler = httpHandler(async (event, context, headers) => {
  const startedAt = Date.now();
  const remainingMs = context.getRemainingTimeInMillis();
  const timings = new Timings();
  try {
    const account = await timings.time('auth', () => authenticate(event));
    const {
      request: { request, estimate },
      admission,
    } = await admitPdfRequest(
      account,
      headers,
      () =>
        timings.time('validate', async () => {
          const parsed = parseWith(quickjobRequestSchema, readJsonBody(event, MAX_REQUEST_BODY_BYTES));
          await assertSourceAllowed(parsed.input);
          return { request: parsed, estimate: assertFitsQuickjob(parsed.input) };
        }),
      timings,
    );
    const jobId = randomUUID();
    const { file, pages, truncated } = await runQuickjob(account, request, {
      jobId,
      startedAt,
      remainingMs,
      estimate,
      timings,
      admission,
      onRecorded: () => {
        headers['x-job-id'] = jobId;
      },
    });
    return pdfResponse(file, {
      'content-disposition': pdfContentDisposition(jobId, request.options.filename),
      'x-pdf-pages': String(pages),
      'x-pdf-truncated': String(truncated),
    });
  } finally {
    headers['server-timing'] = timings.header();
  }
});
