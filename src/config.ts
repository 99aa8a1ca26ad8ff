import { z } from 'zod';
import { QUICKJOB_HARD_TIMEOUT_MS } from './domain/limits.ts';

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
  /** Endpoint override for the emulators; unset on AWS. */
  DYNAMODB_ENDPOINT: optionalUrl,
  /** Chromium binary to use instead of the one @sparticuz/chromium unpacks. */
  PODPDF_CHROMIUM_PATH: z.string().min(1).optional(),
  /** Quick-job time cap in ms. @default 30000; lower only for tests. */
  PODPDF_QUICKJOB_TIMEOUT_MS: positiveInt(QUICKJOB_HARD_TIMEOUT_MS).pipe(
    z.number().max(QUICKJOB_HARD_TIMEOUT_MS),
  ),
  /** How long a resolved API key stays cached in memory, ms. @default 60000 */
  PODPDF_AUTH_CACHE_MS: z.coerce.number().int().min(0).default(60_000),
  /** Let documents load sub-resources from private and loopback addresses. @default false */
  PODPDF_ALLOW_PRIVATE_NETWORK: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});

export type Config = z.infer<typeof configSchema>;

export const loadConfig = (env: NodeJS.ProcessEnv): Config => {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    throw new Error(`Invalid podpdf configuration:\n${z.prettifyError(result.error)}`);
  }
  return result.data;
};

let cached: Config | undefined;

/** The process-wide configuration, parsed from process.env on first call. */
export const getConfig = (): Config => {
  cached ??= loadConfig(process.env);
  return cached;
};
