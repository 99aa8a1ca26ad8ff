import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { SubmittedJob } from '../app/longjob-submit.ts';
import type { PodpdfError } from '../domain/errors.ts';
import type { PdfFile } from '../renderer/pdf-file.ts';

export type HttpResult = APIGatewayProxyStructuredResultV2 & { headers: Record<string, string> };

export const jsonResponse = (
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(body),
  isBase64Encoded: false,
});

/** `{ "error": { "code", "message", "details" } }` — the one error shape of the API. */
export const errorResponse = (err: PodpdfError, headers: Record<string, string> = {}): HttpResult => {
  // A refusal for rate says when to come back, in the header clients and proxies read.
  const retryAfter = (err.details as { retry_after_s?: number } | null)?.retry_after_s;
  return jsonResponse(
    err.status,
    { error: { code: err.code, message: err.message, details: err.details ?? null } },
    retryAfter === undefined ? headers : { ...headers, 'retry-after': String(retryAfter) },
  );
};

/** A PDF as the body: API Gateway decodes the base64, which Chromium's answer already is. */
export const pdfResponse = (pdf: PdfFile, headers: Record<string, string>): HttpResult => ({
  statusCode: 200,
  headers: { 'content-type': 'application/pdf', 'content-length': String(pdf.byteLength), ...headers },
  body: pdf.base64,
  isBase64Encoded: true,
});

/**
 * 202 for an accepted long job (POST /longjob, or POST /quickjob continued with `Prefer:
 * respond-async`): the job as submitted, with `Location` and `X-Job-Id` set on `headers`.
 */
export const acceptedJobResponse = (
  { replayed, ...job }: SubmittedJob,
  headers: Record<string, string>,
): HttpResult => {
  headers['x-job-id'] = job.job_id;
  headers.location = `/jobs/${job.job_id}`;
  if (replayed && !job.deduped_from) headers['idempotent-replayed'] = 'true';
  return jsonResponse(202, job);
};
