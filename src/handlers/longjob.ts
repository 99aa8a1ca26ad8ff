import { authenticate } from '../app/auth.ts';
import { submitLongjob } from '../app/longjob-submit.ts';
import { admitPdfRequest } from '../app/metering.ts';
import { MAX_REQUEST_BODY_BYTES } from '../domain/limits.ts';
import { longjobRequestSchema } from '../domain/render-request.ts';
import { parseWith } from '../domain/validation.ts';
import { httpHandler } from '../http/handler.ts';
import { header, readJsonBody } from '../http/request.ts';
import { acceptedJobResponse } from '../http/response.ts';

/** POST /longjob: queue a render; the result arrives by webhook and through GET /jobs/{job_id}. */
export const handler = httpHandler(async (event, _context, headers) => {
  const caller = await authenticate(event);
  const { request, admission } = await admitPdfRequest(
    caller,
    headers,
    () => parseWith(longjobRequestSchema, readJsonBody(event, MAX_REQUEST_BODY_BYTES)),
    undefined,
    (parsed) => !parsed.test, // a sandbox job counts against the rate, not the month's PDFs
  );
  const { period } = await admission;
  const job = await submitLongjob(caller, request, header(event, 'idempotency-key'), period);
  return acceptedJobResponse(job, headers);
});
