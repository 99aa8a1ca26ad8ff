import * as z from 'zod';
import { authenticate } from '../app/auth.ts';
import { retryOwnJob } from '../app/job-retry.ts';
import { cancelOwnJob, downloadUrl, getOwnJob, listOwnJobs, toJobView } from '../app/jobs.ts';
import { admit } from '../app/metering.ts';
import { redeliverWebhook } from '../app/webhook-handoff.ts';
import { jobsListQuerySchema } from '../domain/api-requests.ts';
import { errors } from '../domain/errors.ts';
import { parseWith } from '../domain/validation.ts';
import { httpHandler } from '../http/handler.ts';
import { jsonResponse } from '../http/response.ts';

const jobIdOf = (pathParameters: Record<string, string | undefined> | undefined): string => {
  const id = pathParameters?.job_id ?? '';
  // Anything that is not a UUID cannot be a job: answer like an unknown job, without a lookup.
  if (!z.uuid().safeParse(id).success) throw errors.notFound('Job');
  return id;
};

const RETRY = 'POST /jobs/{job_id}/retry';

/**
 * GET /jobs, GET /jobs/{job_id}, GET /jobs/{job_id}/download, DELETE /jobs/{job_id},
 * POST /jobs/{job_id}/retry and POST /jobs/{job_id}/webhook/redeliver: the caller's jobs only. A retry
 * is a PDF: it is admitted against the month's quota (and given back when the job is not re-queued),
 * except the retry of a sandbox job.
 */
export const handler = httpHandler(async (event, _context, headers) => {
  const caller = await authenticate(event);
  const retryId = event.routeKey === RETRY ? jobIdOf(event.pathParameters) : undefined;
  // A sandbox job's retry is no PDF either (an unknown job is admitted as one, then given back).
  const sandboxRetry =
    retryId !== undefined && (await getOwnJob(caller, retryId).catch(() => undefined))?.test === true;
  const { period } = await admit(caller, headers, retryId !== undefined && !sandboxRetry);
  switch (event.routeKey) {
    case 'GET /jobs': {
      const query = parseWith(jobsListQuerySchema, event.queryStringParameters ?? {}, errors.invalidQuery);
      return jsonResponse(200, await listOwnJobs(caller, query));
    }
    case 'GET /jobs/{job_id}':
      return jsonResponse(200, await toJobView(await getOwnJob(caller, jobIdOf(event.pathParameters))));
    case 'GET /jobs/{job_id}/download':
      return {
        statusCode: 302,
        headers: {
          location: await downloadUrl(caller, jobIdOf(event.pathParameters)),
          'cache-control': 'no-store',
        },
        body: '',
        isBase64Encoded: false,
      };
    case RETRY: {
      const job = await retryOwnJob(caller, retryId ?? '', sandboxRetry ? undefined : period);
      headers.location = `/jobs/${job.job_id}`;
      return jsonResponse(202, await toJobView(job));
    }
    case 'DELETE /jobs/{job_id}':
      return jsonResponse(200, await toJobView(await cancelOwnJob(caller, jobIdOf(event.pathParameters))));
    case 'POST /jobs/{job_id}/webhook/redeliver': {
      const job = await getOwnJob(caller, jobIdOf(event.pathParameters));
      const { round } = await redeliverWebhook(job);
      return jsonResponse(202, { job_id: job.job_id, webhook: { round, status: 'queued' } });
    }
    default:
      throw errors.methodNotAllowed(event.requestContext.http.method, event.rawPath);
  }
});
