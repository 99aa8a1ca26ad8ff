import { getConfig } from '../config.ts';
import { withTimeout } from '../util/with-timeout.ts';
import { PODPDF_VERSION } from '../version.ts';
import { ports } from './ports.ts';
import { rendererVersion } from './render-port.ts';

/** How long each dependency of a deep check may take to answer. */
const CHECK_TIMEOUT_MS = 3_000;

interface Check {
  ok: boolean;
  ms: number;
  error?: string;
}

const check = async (work: (signal: AbortSignal) => Promise<unknown>): Promise<Check> => {
  const started = performance.now();
  try {
    await withTimeout(work(AbortSignal.timeout(CHECK_TIMEOUT_MS)), CHECK_TIMEOUT_MS);
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (err) {
    // Only the kind of failure: the health answer is for operators' probes, not a place for details.
    const error = err instanceof Error ? err.name : 'Error';
    return { ok: false, ms: Math.round(performance.now() - started), error };
  }
};

/**
 * podpdf's health. Shallow: the function answers, with its version and stage. Deep: DynamoDB, S3,
 * SQS and Chromium each answer within CHECK_TIMEOUT_MS (checked at once, side by side).
 */
export const health = async (deep: boolean) => {
  const base = { version: PODPDF_VERSION, stage: getConfig().PODPDF_STAGE };
  if (!deep) return { status: 'ok' as const, ...base };
  const [dynamodb, s3, sqs, renderer] = await Promise.all([
    check(() => ports().accounts.findAccountByKeyHash('health-probe')),
    check((signal) => ports().blobs.probeBucket(signal)),
    check(() => ports().queue.queueDepth()),
    check(() => rendererVersion()),
  ]);
  const checks = { dynamodb, s3, sqs, renderer };
  const ok = Object.values(checks).every((c) => c.ok);
  return { status: ok ? ('ok' as const) : ('degraded' as const), ...base, checks };
};
