/**
 * The shapes of the HTTP API's answers, as zod schemas (the requests' are in render-request.ts and
 * api-requests.ts): the OpenAPI document (src/openapi/) is generated from them, and the contract tests
 * check real answers against it. The handlers build these answers from TypeScript interfaces; a change
 * to one of those interfaces belongs here too, and `npm run openapi` regenerates openapi.json.
 */
import * as z from 'zod';
import { ErrorCode } from './errors.ts';
import { JobStatus } from './job.ts';

const isoInstant = z.iso.datetime({ offset: true });

/** `{ "error": { "code", "message", "details" } }`: every error podpdf itself sends. */
export const errorResponseSchema = z.strictObject({
  error: z.strictObject({
    code: z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).nullable(),
  }),
});

/** What API Gateway answers itself (unknown route, oversized body, crashed function). */
export const gatewayErrorSchema = z.strictObject({ message: z.string() });

export const jobViewSchema = z.strictObject({
  job_id: z.uuid(),
  job_type: z.enum(['quick', 'long']),
  status: z.enum(Object.values(JobStatus) as [JobStatus, ...JobStatus[]]),
  stage: z.enum(['queued', 'rendering', 'storing', 'delivering', 'done']),
  progress: z.number().min(0).max(1),
  mode: z.string(),
  pages: z.int().min(0).nullable(),
  truncated: z.boolean().nullable(),
  created_at: isoInstant,
  updated_at: isoInstant,
  completed_at: isoInstant.nullable(),
  s3_url: z.url().nullable(),
  s3_url_expires_at: isoInstant.nullable(),
  file_expired: z.boolean(),
  error_code: z.string().nullable(),
  error_message: z.string().nullable(),
  webhook_delivered: z.boolean().nullable(),
  retry_count: z.int().min(0),
  /** A sandbox job (`test: true`): SANDBOX stamped on its PDF, no PDF counted against the quota. */
  test: z.boolean(),
  /** A quick job that went past its deadline with `Prefer: respond-async`: the long job it continued as. */
  continued_as: z.uuid().nullable(),
});

export const jobListSchema = z.strictObject({
  jobs: z.array(jobViewSchema),
  next_cursor: z.string().nullable(),
  next_since: isoInstant.nullable(),
  active_count: z.int().min(0),
});

/** POST /longjob's 202. */
export const longjobAcceptedSchema = z.strictObject({
  job_id: z.uuid(),
  status: z.enum(Object.values(JobStatus) as [JobStatus, ...JobStatus[]]),
  message: z.string(),
  estimated_completion: isoInstant.nullable(),
  /** With `dedupe`: the earlier identical job answered instead of a new one. */
  deduped_from: z.uuid().optional(),
});

export const accountViewSchema = z.strictObject({
  user_id: z.string(),
  name: z.string(),
  created_at: isoInstant,
  webhook: z.strictObject({
    url: z.string().nullable(),
    signing_secret_set: z.boolean(),
    disabled: z
      .strictObject({ url: z.string(), at: isoInstant, job_id: z.uuid(), reason: z.literal('gone') })
      .nullable(),
  }),
  plan: z.strictObject({
    rate_per_second: z.number().positive(),
    burst: z.int().positive(),
    monthly_pdfs: z.int().min(0),
    max_active_jobs: z.int().min(0),
  }),
  usage: z.strictObject({
    period: z.string().regex(/^\d{4}-\d{2}$/),
    pdfs_used: z.int().min(0),
    pdfs_remaining: z.int().min(0),
    resets_at: isoInstant,
    active_jobs: z.int().min(0),
  }),
});

/** PUT /accounts/me/webhook's 200: the secret only the first time. */
export const webhookSettingsSchema = z.strictObject({
  url: z.string(),
  signing_secret: z.string().startsWith('whsec_').nullable(),
});

export const signingSecretSchema = z.strictObject({ signing_secret: z.string().startsWith('whsec_') });

/** POST /jobs/{job_id}/webhook/redeliver's 202. */
export const redeliveryAcceptedSchema = z.strictObject({
  job_id: z.uuid(),
  webhook: z.strictObject({ round: z.int().min(1), status: z.literal('queued') }),
});

const healthCheckSchema = z.strictObject({
  ok: z.boolean(),
  ms: z.int().min(0),
  error: z.string().optional(),
});

export const healthSchema = z.strictObject({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  stage: z.string(),
  checks: z
    .strictObject({
      dynamodb: healthCheckSchema,
      s3: healthCheckSchema,
      sqs: healthCheckSchema,
      renderer: healthCheckSchema,
    })
    .optional(),
});
