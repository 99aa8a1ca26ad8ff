import * as z from 'zod';
import { QUICKJOB_HARD_TIMEOUT_MS } from './domain/limits.ts';
import { DEFAULT_WEBHOOK_RETRY_DELAYS_S, MAX_WEBHOOK_DELAY_S } from './domain/webhook.ts';

const optionalUrl = z.url().optional();
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/**
 * Runtime configuration, read from the environment once per process and validated at first use.
 * On Lambda the values come from serverless.yml; the local stack sets them before it calls a handler.
 */
const configSchema = z.object({
  /** Deployment stage: `local` for the embedded stack, otherwise the serverless stage. */
  PODPDF_STAGE: z.string().min(1).default('local'),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  /** DynamoDB table names. */
  USERS_TABLE: z.string().min(1),
  JOBS_TABLE: z.string().min(1),
  ANALYTICS_TABLE: z.string().min(1),
  IDEMPOTENCY_TABLE: z.string().min(1),
  /** Rate bucket, monthly PDF count and active long jobs per account. */
  USAGE_TABLE: z.string().min(1),
  /** Per account and webhook URL: its circuit breaker and send rate. */
  WEBHOOK_ENDPOINTS_TABLE: z.string().min(1),
  /** Private bucket for long-job inputs and PDFs. */
  PDF_BUCKET: z.string().min(1),
  LONGJOB_QUEUE_URL: z.url(),
  /** Webhook deliveries waiting to be sent or retried. */
  WEBHOOK_QUEUE_URL: z.url(),
  /** Endpoint overrides for the emulators; unset on AWS. */
  DYNAMODB_ENDPOINT: optionalUrl,
  S3_ENDPOINT: optionalUrl,
  SQS_ENDPOINT: optionalUrl,
  /** Lifetime of presigned PDF URLs, seconds. @default 3600 */
  PODPDF_PRESIGN_EXPIRES_S: positiveInt(3600),
  /** How long a processor's claim on a job lasts, ms. @default 900000 (the processor timeout) */
  PODPDF_LEASE_MS: positiveInt(900_000),
  /** Time kept back from the processor's remaining time for upload and webhook, ms. @default 60000 */
  PODPDF_PROCESSOR_RESERVE_MS: z.coerce.number().int().min(0).default(60_000),
  /** Processors rendering in parallel, for `estimated_completion`. @default 10 */
  PODPDF_PROCESSOR_PARALLELISM: positiveInt(10),
  /** Per-attempt webhook timeout, ms. @default 10000 */
  PODPDF_WEBHOOK_TIMEOUT_MS: positiveInt(10_000),
  /**
   * Seconds before each webhook retry, comma-separated, each spread ±20%; at least three retries.
   * @default 5,60,600,3600
   */
  PODPDF_WEBHOOK_RETRY_DELAYS_S: z
    .string()
    .default(DEFAULT_WEBHOOK_RETRY_DELAYS_S.join(','))
    .transform((text) => text.split(',').map((part) => Number(part.trim())))
    .pipe(z.array(z.number().int().min(0).max(MAX_WEBHOOK_DELAY_S)).min(3)),
  /** A delivery still deferred (its receiver's circuit open) this long after it began ends undelivered, s. @default 86400 */
  PODPDF_WEBHOOK_GIVE_UP_S: positiveInt(86_400),
  /** Consecutive failures to one webhook URL, per account, that open its circuit. @default 5 */
  PODPDF_WEBHOOK_BREAKER_FAILURES: positiveInt(5),
  /** How long an open circuit waits before a probe, s; doubles per failed probe up to an hour. @default 60 */
  PODPDF_WEBHOOK_BREAKER_COOLDOWN_S: positiveInt(60),
  /** Sends per second to one webhook URL, per account, as a bucket of this rate and burst. @default 50 and 100 */
  PODPDF_WEBHOOK_RATE_PER_S: z.coerce.number().positive().default(50),
  PODPDF_WEBHOOK_RATE_BURST: positiveInt(100),
  /** Chromium binary to use instead of the one @sparticuz/chromium unpacks. */
  PODPDF_CHROMIUM_PATH: z.string().min(1).optional(),
  /** Quick-job time cap in ms. @default 30000; lower only for tests. */
  PODPDF_QUICKJOB_TIMEOUT_MS: positiveInt(QUICKJOB_HARD_TIMEOUT_MS).pipe(
    z.number().max(QUICKJOB_HARD_TIMEOUT_MS),
  ),
  /** How long a resolved API key stays cached in memory, ms. @default 60000 */
  PODPDF_AUTH_CACHE_MS: z.coerce.number().int().min(0).default(60_000),
  /**
   * Secret the `GET /jobs` cursors are signed with (HMAC-SHA256), at least 32 characters. Every
   * function of a stage must see the same one; changing it only invalidates cursors in flight.
   * @default derived from PODPDF_STAGE and JOBS_TABLE: cursors stay bound to their account and
   * tamper-evident, but anyone who knows both names could sign positions inside their own jobs.
   */
  PODPDF_CURSOR_SECRET: z.string().min(32).optional(),
  /**
   * KMS key (id, ARN or alias) whose data keys encrypt the webhook signing secrets at rest
   * (domain/sealed-secret.ts). Required wherever secrets are sealed or opened, except on `local`.
   */
  PODPDF_SECRETS_KEY_ID: z.string().min(1).optional(),
  /**
   * `local` stage only: 32 bytes in base64 that wrap the secrets' data keys in place of KMS. The
   * local stack sets it (kept in PODPDF_DATA_DIR when there is one).
   */
  PODPDF_LOCAL_SECRET_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}=$/, 'must be 32 bytes in base64 (44 characters)')
    .optional(),
  /** The default plan (domain/plan.ts); an account's `plan` on its Users row overrides each. */
  PODPDF_RATE_PER_S: z.coerce.number().positive().default(10),
  PODPDF_RATE_BURST: positiveInt(20),
  PODPDF_MONTHLY_PDFS: z.coerce.number().int().min(0).default(10_000),
  PODPDF_MAX_ACTIVE_JOBS: z.coerce.number().int().min(0).default(100),
  /**
   * The sweeper (app/sweeper.ts): how old a queued job that no worker ever claimed must be before its
   * message counts as never sent, ms. Longer than any submission takes (20 s function timeout).
   * @default 300000
   */
  PODPDF_SWEEPER_GRACE_MS: z.coerce.number().int().min(0).default(300_000),
  /**
   * How long a processing job's lease must have been over, with no worker taking it back, before the
   * sweeper gives up on the job, ms. A crashed worker's message comes back within the queue's
   * visibility timeout (900 s) of its lease ending. @default 900000
   */
  PODPDF_SWEEPER_STALE_LEASE_MS: z.coerce.number().int().min(0).default(900_000),
  /** Claims after which a stalled job is given up on: the queue's maxReceiveCount. @default 3 */
  PODPDF_SWEEPER_MAX_ATTEMPTS: positiveInt(3),
  /** Let documents load sub-resources from private and loopback addresses. @default false */
  PODPDF_ALLOW_PRIVATE_NETWORK: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});

export type Config = z.infer<typeof configSchema>;

/** One line per bad variable: `NAME: what is wrong (got "value")`. */
export const describeSettingIssues = (error: z.ZodError, env: Record<string, string | undefined>): string =>
  error.issues
    .map((issue) => {
      const name = String(issue.path[0] ?? '(environment)');
      const value = env[name];
      // Secrets and keys are named, never echoed.
      const shown = value === undefined || /SECRET|KEY/.test(name) ? '' : ` (got ${JSON.stringify(value)})`;
      return `${name}: ${issue.message}${shown}`;
    })
    .join('\n');

export const loadConfig = (env: NodeJS.ProcessEnv): Config => {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    throw new Error(`Invalid podpdf configuration:\n${describeSettingIssues(result.error, env)}`);
  }
  return result.data;
};

let cached: Config | undefined;

/** The process-wide configuration, parsed from process.env on first call. */
export const getConfig = (): Config => {
  cached ??= loadConfig(process.env);
  return cached;
};
