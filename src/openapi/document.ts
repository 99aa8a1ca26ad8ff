/**
 * The OpenAPI 3.1 document of podpdf's HTTP API, generated from the zod schemas the handlers validate
 * with (src/domain/render-request.ts, src/domain/api-schemas.ts) through zod's own JSON Schema output.
 * It runs at build and test time only: `npm run openapi` writes openapi.json at the repository root,
 * which GET /openapi.json serves; a unit test fails when that file differs from this function's output.
 */
import * as z from 'zod';
import { jobsListQuerySchema, webhookSettingsRequestSchema } from '../domain/api-requests.ts';
import {
  accountViewSchema,
  errorResponseSchema,
  gatewayErrorSchema,
  healthSchema,
  jobListSchema,
  jobViewSchema,
  longjobAcceptedSchema,
  redeliveryAcceptedSchema,
  signingSecretSchema,
  webhookSettingsSchema,
} from '../domain/api-schemas.ts';
import type { ErrorCode } from '../domain/errors.ts';
import {
  longjobRequestSchema,
  quickjobRequestSchema,
  renderOptionsSchema,
} from '../domain/render-request.ts';
import { PODPDF_VERSION } from '../version.ts';

type Json = Record<string, unknown>;

const SCHEMAS: Record<string, z.ZodType> = {
  QuickjobRequest: quickjobRequestSchema,
  LongjobRequest: longjobRequestSchema,
  RenderOptions: renderOptionsSchema,
  WebhookSettingsRequest: webhookSettingsRequestSchema,
  Error: errorResponseSchema,
  GatewayError: gatewayErrorSchema,
  Job: jobViewSchema,
  JobList: jobListSchema,
  LongjobAccepted: longjobAcceptedSchema,
  Account: accountViewSchema,
  WebhookSettings: webhookSettingsSchema,
  SigningSecret: signingSecretSchema,
  RedeliveryAccepted: redeliveryAcceptedSchema,
  Health: healthSchema,
};

/** Each schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect), shared ones by `$ref`. */
const componentSchemas = (): Record<string, Json> => {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(SCHEMAS)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    // Requests as clients send them (before defaults and transforms); answers have neither.
    io: 'input',
    // Refinements (page ranges that parse, a document that fits) are checked by the API, not the schema.
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  });
  return Object.fromEntries(
    Object.entries(schemas).map(([id, { $schema: _s, $id: _i, ...schema }]) => [id, schema as Json]),
  );
};

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const JSON_TYPE = 'application/json';

const integerHeader = (description: string) => ({
  description,
  schema: { type: 'string', pattern: '^\\d+$' },
});

/** The headers the API sends, described once. */
const HEADERS: Record<string, Json> = {
  'X-Request-Id': {
    description: "The gateway's request id; quote it when reporting a problem",
    schema: { type: 'string' },
  },
  'RateLimit-Limit': integerHeader('The burst: requests that may be sent at once'),
  'RateLimit-Remaining': integerHeader('Requests that may be sent now'),
  'RateLimit-Reset': integerHeader('Seconds until the bucket is full again'),
  'Retry-After': integerHeader('Seconds to wait before sending again'),
  'X-PDF-Pages': integerHeader('Pages in the returned PDF (at most 100)'),
  'X-PDF-Truncated': {
    description: 'Whether the document was cut to its first 100 pages',
    schema: { type: 'string', enum: ['true', 'false'] },
  },
  'X-Job-Id': {
    description: "The job's UUID, once its record is written",
    schema: { type: 'string', format: 'uuid' },
  },
  Location: { description: 'Where the job (or the PDF) is', schema: { type: 'string' } },
  'Content-Disposition': {
    description: '`inline; filename="{job_id}.pdf"`, or the name `options.filename` gives',
    schema: { type: 'string', pattern: '^inline; filename=' },
  },
  'Server-Timing': { description: "Where the request's time went, in ms", schema: { type: 'string' } },
  'Idempotent-Replayed': {
    description: '`true` when an Idempotency-Key replay answered with the original job',
    schema: { type: 'string', enum: ['true'] },
  },
  'Preference-Applied': {
    description: '`respond-async`: the request was answered with a long job (RFC 7240)',
    schema: { type: 'string', enum: ['respond-async'] },
  },
};

const header = (id: string) => ({ $ref: `#/components/headers/${id}` });
/** A header this answer always has: described in place (a `$ref` can carry no `required`). */
const requiredHeader = (id: string) => ({ ...HEADERS[id], required: true });

const RATE_HEADERS = {
  'RateLimit-Limit': header('RateLimit-Limit'),
  'RateLimit-Remaining': header('RateLimit-Remaining'),
  'RateLimit-Reset': header('RateLimit-Reset'),
};

/** Headers every answer of podpdf carries; authenticated ones also the bucket's state. */
const commonHeaders = (authenticated: boolean) => ({
  'X-Request-Id': requiredHeader('X-Request-Id'),
  ...(authenticated ? RATE_HEADERS : {}),
});

const json = (description: string, schema: Json, headers: Json = {}) => ({
  description,
  headers,
  content: { [JSON_TYPE]: { schema } },
});

/** An error answer: the error shape, its `code` narrowed to the codes this status has here. */
const error = (description: string, codes: ErrorCode[], extraHeaders: Json = {}, authenticated = true) =>
  json(
    `${description} (${codes.join(', ')})`,
    {
      allOf: [
        ref('Error'),
        { type: 'object', properties: { error: { type: 'object', properties: { code: { enum: codes } } } } },
      ],
    },
    { ...commonHeaders(authenticated), ...extraHeaders },
  );

const RETRY_AFTER = { 'Retry-After': requiredHeader('Retry-After') };

/** Answers every authenticated endpoint can give. */
const COMMON_ERRORS = {
  '401': error('No API key, or one that belongs to no account', ['UNAUTHORIZED'], {}, false),
  '429': error(
    'Too many requests for the account (or, without a valid key, for the source)',
    ['RATE_LIMITED'],
    RETRY_AFTER,
  ),
  '500': error('An unexpected fault; the cause is logged, never sent', ['INTERNAL_ERROR']),
};

/** Answers to a JSON body, before the endpoint's own checks. */
const BODY_ERRORS = {
  '413': error("The body is over the endpoint's limit", ['PAYLOAD_TOO_LARGE']),
  '415': error('Content-Type is not application/json (or another +json type)', ['UNSUPPORTED_MEDIA_TYPE']),
};

const jobIdParameter = { $ref: '#/components/parameters/job_id' };
const jsonBody = (schema: string) => ({ required: true, content: { [JSON_TYPE]: { schema: ref(schema) } } });

const jobAnswers = (ok: Json, extra: Json = {}) => ({
  ...ok,
  ...extra,
  '404': error('No such job of this account', ['NOT_FOUND']),
  ...COMMON_ERRORS,
});

const JOB_RENDER_ERRORS = [
  'VALIDATION_FAILED',
  'INVALID_JSON',
  'IMAGE_TOO_LARGE',
  'DOCUMENT_TOO_COMPLEX',
  'URL_NOT_ALLOWED',
] as const satisfies ErrorCode[];

const paths = (): Json => ({
  '/quickjob': {
    post: {
      operationId: 'createQuickjob',
      summary: 'Render HTML, Markdown or a URL to PDF and answer with the PDF, within 30 s',
      tags: ['Jobs'],
      parameters: [
        { $ref: '#/components/parameters/Prefer' },
        { $ref: '#/components/parameters/Idempotency-Key' },
      ],
      requestBody: jsonBody('QuickjobRequest'),
      responses: {
        '202': json(
          'With `Prefer: respond-async`: too complex for a quick job, or past its deadline, so continued as a long job',
          ref('LongjobAccepted'),
          {
            ...commonHeaders(true),
            'Preference-Applied': requiredHeader('Preference-Applied'),
            'X-Job-Id': requiredHeader('X-Job-Id'),
            Location: requiredHeader('Location'),
            'Idempotent-Replayed': header('Idempotent-Replayed'),
          },
        ),
        '200': {
          description: 'The PDF',
          headers: {
            ...commonHeaders(true),
            'X-PDF-Pages': requiredHeader('X-PDF-Pages'),
            'X-PDF-Truncated': requiredHeader('X-PDF-Truncated'),
            'X-Job-Id': requiredHeader('X-Job-Id'),
            'Content-Disposition': requiredHeader('Content-Disposition'),
            'Server-Timing': header('Server-Timing'),
          },
          content: { 'application/pdf': { schema: { type: 'string', contentMediaType: 'application/pdf' } } },
        },
        '400': error('The body or the document is refused', [...JOB_RENDER_ERRORS, 'INVALID_PAGE_RANGES'], {
          'X-Job-Id': header('X-Job-Id'),
        }),
        '403': error("The month's PDFs are used up", ['QUOTA_EXCEEDED']),
        '408': error('The render did not finish in time', ['QUICKJOB_TIMEOUT'], {
          'X-Job-Id': header('X-Job-Id'),
        }),
        ...BODY_ERRORS,
        '413': error(
          'The body is over 5,242,880 bytes, or the PDF over 4,706,304',
          ['PAYLOAD_TOO_LARGE', 'PDF_TOO_LARGE'],
          {
            'X-Job-Id': header('X-Job-Id'),
          },
        ),
        '422': error('The document cannot be rendered as a quick job, or its render failed', [
          'QUICKJOB_TOO_COMPLEX',
          'IMAGE_TOO_LARGE',
          'RENDER_MEMORY_EXCEEDED',
          'WAIT_FAILED',
          'CONSOLE_EXCEPTION',
          'RESOURCE_LOADING_FAILED',
          'SOURCE_HTTP_ERROR',
          'SOURCE_UNREACHABLE',
        ]),
        '502': error('Chromium failed', ['RENDER_FAILED'], { 'X-Job-Id': header('X-Job-Id') }),
        '503': error('Chromium could not be started', ['RENDERER_UNAVAILABLE'], {
          'X-Job-Id': header('X-Job-Id'),
        }),
        ...COMMON_ERRORS,
      },
    },
  },
  '/longjob': {
    post: {
      operationId: 'createLongjob',
      summary: 'Queue a render; the PDF goes to S3 and a signed webhook announces it',
      tags: ['Jobs'],
      parameters: [{ $ref: '#/components/parameters/Idempotency-Key' }],
      requestBody: jsonBody('LongjobRequest'),
      responses: {
        '202': json('Queued (or, on a replay or dedupe, the original job)', ref('LongjobAccepted'), {
          ...commonHeaders(true),
          'X-Job-Id': requiredHeader('X-Job-Id'),
          Location: requiredHeader('Location'),
          'Idempotent-Replayed': header('Idempotent-Replayed'),
        }),
        '400': error('The body, the document or the Idempotency-Key is refused', [
          ...JOB_RENDER_ERRORS,
          'INVALID_IDEMPOTENCY_KEY',
          'WEBHOOK_URL_REFUSED',
        ]),
        '403': error("The month's PDFs are used up, or too many long jobs are active", [
          'QUOTA_EXCEEDED',
          'TOO_MANY_ACTIVE_JOBS',
        ]),
        '409': error('The Idempotency-Key was used with another body, or is still being accepted', [
          'IDEMPOTENCY_CONFLICT',
          'IDEMPOTENCY_IN_PROGRESS',
        ]),
        ...BODY_ERRORS,
        '503': error('The job was not accepted; retry', ['STORAGE_FAILED', 'ENQUEUE_FAILED']),
        ...COMMON_ERRORS,
      },
    },
  },
  '/jobs': {
    get: {
      operationId: 'listJobs',
      summary: "The account's jobs, newest first (with `since`: oldest change first), paged",
      tags: ['Jobs'],
      parameters: ['limit', 'status', 'cursor', 'since'].map((name) => ({
        $ref: `#/components/parameters/${name}`,
      })),
      responses: {
        '200': json('A page of jobs', ref('JobList'), commonHeaders(true)),
        '400': error('A query parameter or the cursor is refused', ['INVALID_QUERY', 'INVALID_CURSOR']),
        ...COMMON_ERRORS,
      },
    },
  },
  '/jobs/{job_id}': {
    parameters: [jobIdParameter],
    get: {
      operationId: 'getJob',
      summary: 'One job, with a fresh download URL when it has a PDF',
      tags: ['Jobs'],
      responses: jobAnswers({ '200': json('The job', ref('Job'), commonHeaders(true)) }),
    },
    delete: {
      operationId: 'cancelJob',
      summary: 'Cancel a queued long job',
      tags: ['Jobs'],
      responses: jobAnswers(
        { '200': json('The job, now cancelled', ref('Job'), commonHeaders(true)) },
        { '409': error('Only queued jobs can be cancelled', ['JOB_NOT_CANCELLABLE']) },
      ),
    },
  },
  '/jobs/{job_id}/download': {
    parameters: [jobIdParameter],
    get: {
      operationId: 'downloadJob',
      summary: "Redirect to a completed long job's PDF",
      tags: ['Jobs'],
      responses: jobAnswers(
        {
          '302': {
            description: 'To a URL presigned for an hour',
            headers: { ...commonHeaders(true), Location: requiredHeader('Location') },
          },
        },
        {
          '409': error('The job has no PDF to download', ['JOB_NOT_READY']),
          '410': error('The PDF was deleted 24 hours after completion', ['FILE_EXPIRED']),
        },
      ),
    },
  },
  '/jobs/{job_id}/retry': {
    parameters: [jobIdParameter],
    post: {
      operationId: 'retryJob',
      summary: 'Run a failed long job again, under the same job_id',
      tags: ['Jobs'],
      responses: jobAnswers(
        {
          '202': json('The job, queued again', ref('Job'), {
            ...commonHeaders(true),
            Location: requiredHeader('Location'),
          }),
        },
        {
          '403': error("The month's PDFs are used up, or too many long jobs are active", [
            'QUOTA_EXCEEDED',
            'TOO_MANY_ACTIVE_JOBS',
          ]),
          '409': error('The job cannot be retried', ['JOB_NOT_RETRYABLE']),
          '503': error('The job could not be queued; it is left as it was', ['ENQUEUE_FAILED']),
        },
      ),
    },
  },
  '/jobs/{job_id}/webhook/redeliver': {
    parameters: [jobIdParameter],
    post: {
      operationId: 'redeliverJobWebhook',
      summary: "Send a finished long job's webhook again",
      tags: ['Webhooks'],
      responses: jobAnswers(
        { '202': json('The delivery is queued', ref('RedeliveryAccepted'), commonHeaders(true)) },
        {
          '409': error('The job has no webhook, is not finished, or a delivery is being sent', [
            'NO_WEBHOOK',
            'JOB_NOT_READY',
            'WEBHOOK_IN_FLIGHT',
          ]),
          '503': error('The redelivery could not be queued', ['ENQUEUE_FAILED']),
        },
      ),
    },
  },
  '/accounts/me': {
    get: {
      operationId: 'getAccount',
      summary: 'The account, its webhook settings, plan and usage',
      tags: ['Account'],
      responses: {
        '200': json('The account', ref('Account'), commonHeaders(true)),
        '404': error('The account is gone', ['NOT_FOUND']),
        ...COMMON_ERRORS,
      },
    },
  },
  '/accounts/me/webhook': {
    put: {
      operationId: 'setWebhook',
      summary: 'Set the default webhook URL (creates the signing secret the first time)',
      tags: ['Webhooks'],
      requestBody: jsonBody('WebhookSettingsRequest'),
      responses: {
        '200': json(
          'Set; `signing_secret` only when it was created now',
          ref('WebhookSettings'),
          commonHeaders(true),
        ),
        '400': error('The body or the URL is refused', [
          'INVALID_JSON',
          'VALIDATION_FAILED',
          'WEBHOOK_URL_REFUSED',
        ]),
        '404': error('The account is gone', ['NOT_FOUND']),
        ...BODY_ERRORS,
        ...COMMON_ERRORS,
      },
    },
    delete: {
      operationId: 'removeWebhook',
      summary: 'Remove the default webhook URL',
      tags: ['Webhooks'],
      responses: { '204': { description: 'Removed', headers: commonHeaders(true) }, ...COMMON_ERRORS },
    },
  },
  '/accounts/me/webhook/rotate-secret': {
    post: {
      operationId: 'rotateWebhookSecret',
      summary: 'Replace the webhook signing secret',
      tags: ['Webhooks'],
      responses: {
        '200': json('The new secret', ref('SigningSecret'), commonHeaders(true)),
        ...COMMON_ERRORS,
      },
    },
  },
  '/health': {
    get: {
      operationId: 'health',
      summary: 'Whether the API is up; with `deep=true` and a key, whether its dependencies answer',
      tags: ['Service'],
      security: [{}, { bearer: [] }, { apiKey: [] }],
      parameters: [
        {
          name: 'deep',
          in: 'query',
          description: '`true` (with an API key): also check DynamoDB, S3, SQS and Chromium',
          schema: { type: 'string', enum: ['true', 'false'] },
        },
      ],
      responses: {
        '200': json('Up', ref('Health'), commonHeaders(false)),
        '503': json('A dependency failed its check (deep only)', ref('Health'), commonHeaders(false)),
        ...COMMON_ERRORS,
      },
    },
  },
  '/openapi.json': {
    get: {
      operationId: 'openapi',
      summary: 'This document',
      tags: ['Service'],
      security: [],
      responses: {
        '200': json('The OpenAPI 3.1 document', { type: 'object' }, commonHeaders(false)),
      },
    },
  },
  '/': {
    get: {
      operationId: 'console',
      summary: 'The web console for people (ENDPOINTS.md, "Console")',
      tags: ['Console'],
      security: [],
      responses: {
        '200': { description: 'The page', content: { 'text/html': { schema: { type: 'string' } } } },
      },
    },
  },
  '/console/{file}': {
    get: {
      operationId: 'consoleFile',
      summary: "One of the console's files: its script, stylesheet or options schema",
      tags: ['Console'],
      security: [],
      parameters: [
        {
          name: 'file',
          in: 'path',
          required: true,
          description: 'The file name',
          schema: { type: 'string' },
        },
      ],
      responses: {
        '200': { description: 'The file', content: { '*/*': { schema: { type: 'string' } } } },
        '404': error('No such file', ['NOT_FOUND']),
      },
    },
  },
});

const queryParameter = (name: string, schema: Json, description: string) => ({
  name,
  in: 'query',
  description,
  schema,
});

const components = (): Json => {
  const schemas = componentSchemas();
  const query = z.toJSONSchema(jobsListQuerySchema, { io: 'input', unrepresentable: 'any' }).properties ?? {};
  return {
    schemas,
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer', description: 'The API key as `Authorization: Bearer <key>`' },
      apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'The API key' },
    },
    parameters: {
      job_id: {
        name: 'job_id',
        in: 'path',
        required: true,
        description: "The job's UUID (anything else answers 404)",
        schema: { type: 'string' },
      },
      Prefer: {
        name: 'Prefer',
        in: 'header',
        description:
          '`respond-async` (RFC 7240): a quick job too complex for its budget, or past its deadline, continues as a long job (202) instead of 422 or 408; Idempotency-Key then applies to that long job',
        schema: { type: 'string' },
      },
      'Idempotency-Key': {
        name: 'Idempotency-Key',
        in: 'header',
        description:
          'Within 24 h, the same key with the same body returns the original job instead of creating another',
        schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
      },
      limit: queryParameter('limit', query.limit as Json, 'The most jobs in this page'),
      status: queryParameter('status', query.status as Json, 'Only jobs in this status'),
      cursor: queryParameter('cursor', query.cursor as Json, 'The `next_cursor` of a previous page'),
      since: queryParameter(
        'since',
        query.since as Json,
        'Only jobs whose `updated_at` is at or after this instant, oldest change first',
      ),
    },
    headers: HEADERS,
  };
};

/** The document, the same on every run for the same schemas. */
export const openApiDocument = (): Json => ({
  openapi: '3.1.1',
  info: {
    title: 'podpdf',
    version: PODPDF_VERSION,
    description:
      'HTML to PDF: synchronous quick jobs and queued long jobs, rendered by headless Chromium. The prose reference is ENDPOINTS.md.',
    license: { name: 'MIT', identifier: 'MIT' },
  },
  jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
  servers: [{ url: 'http://127.0.0.1:3000', description: 'The local stack (npm start)' }],
  security: [{ bearer: [] }, { apiKey: [] }],
  tags: [{ name: 'Jobs' }, { name: 'Webhooks' }, { name: 'Account' }, { name: 'Service' }],
  paths: paths(),
  components: components(),
});

/** openapi.json's text: the document as JSON with a final newline. */
export const openApiText = (): string => `${JSON.stringify(openApiDocument(), null, 2)}\n`;
