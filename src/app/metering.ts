import { getConfig } from '../config.ts';
import { errors } from '../domain/errors.ts';
import { bucket, type Plan, usagePeriod } from '../domain/plan.ts';
import { metric } from '../metrics.ts';
import type { Timings } from '../util/timings.ts';
import type { Caller } from './auth.ts';
import { ports } from './ports.ts';

/** The caller's plan: the deployment's defaults with the account's overrides. */
export const planOf = (caller: Caller): Plan => {
  const config = getConfig();
  return {
    rate_per_s: config.PODPDF_RATE_PER_S,
    burst: config.PODPDF_RATE_BURST,
    monthly_pdfs: config.PODPDF_MONTHLY_PDFS,
    max_active_jobs: config.PODPDF_MAX_ACTIVE_JOBS,
    ...caller.plan,
  };
};

/**
 * Takes one request from the bucket of the Usage row `key` (and, with `pdf`, one PDF from its month):
 * the bucket as of now, and what the table answered.
 */
export const takeRequest = async (
  key: string,
  limits: Pick<Plan, 'rate_per_s' | 'burst'>,
  pdf?: { period: string; quota: number },
) => {
  const now = ports().clock.now();
  const rate = bucket(limits, now);
  const result = await ports().usage.admitRequest(key, {
    now,
    intervalMs: rate.intervalMs,
    latestAdmittedTat: rate.latestAdmittedTat,
    ...(pdf ? { pdf } : {}),
  });
  return { now, rate, result };
};

/**
 * Refusals this process has answered, per account, until the earliest moment the answer could change:
 * a rate refusal until its bucket admits again, a quota refusal until the month ends (a minute at
 * most, so a raised plan applies soon). Later requests in that window are refused from here, with no
 * write and, for a quick job, no render spent on them.
 */
const refusals = new Map<string, { until: number; tat: number; quota: boolean }>();
const MAX_REMEMBERED_REFUSALS = 10_000;
const QUOTA_REFUSAL_MEMORY_MS = 60_000;

/** The refusal remembered for the account that still holds for a request (with `pdf`, or not). */
const knownRefusal = (userId: string, pdf: boolean) => {
  const known = refusals.get(userId);
  return known && ports().clock.now() < known.until && (pdf || !known.quota) ? known : undefined;
};

/**
 * Admits one request of the caller against the rate bucket and, with `pdf`, one PDF against the
 * month's quota, in one write. Sets the RateLimit-* headers (http/response.ts adds Retry-After) on
 * `headers`; throws 429 RATE_LIMITED or 403 QUOTA_EXCEEDED. Returns the month a PDF was counted in.
 */
export const admit = async (
  caller: Caller,
  headers: Record<string, string>,
  pdf: boolean,
): Promise<{ period: string }> => {
  const plan = planOf(caller);
  const period = usagePeriod(ports().clock.now());
  headers['ratelimit-limit'] = String(plan.burst);
  const refuse = (tat: number, quota: boolean, rate: ReturnType<typeof bucket>): never => {
    headers['ratelimit-remaining'] = '0';
    headers['ratelimit-reset'] = String(rate.resetSeconds(tat));
    metric('Refusals', 1, { reason: quota ? 'quota' : 'rate' });
    if (!quota) throw errors.rateLimited(rate.retryAfterSeconds(tat), plan);
    throw errors.quotaExceeded(plan.monthly_pdfs, new Date(period.endsAt).toISOString());
  };

  const known = knownRefusal(caller.user_id, pdf);
  if (known) refuse(known.tat, known.quota, bucket(plan, ports().clock.now()));

  const { rate, result, now } = await takeRequest(
    caller.user_id,
    plan,
    pdf ? { period: period.id, quota: plan.monthly_pdfs } : undefined,
  );
  if (result.admitted) {
    refusals.delete(caller.user_id);
    headers['ratelimit-remaining'] = String(rate.remaining(result.tat));
    headers['ratelimit-reset'] = String(rate.resetSeconds(result.tat));
    return { period: period.id };
  }
  const tat = result.row?.tat ?? now;
  const quota = tat <= rate.latestAdmittedTat;
  if (refusals.size >= MAX_REMEMBERED_REFUSALS) refusals.clear();
  refusals.set(caller.user_id, {
    // The bucket admits again once now + tolerance - interval reaches tat.
    until: quota
      ? Math.min(period.endsAt, now + QUOTA_REFUSAL_MEMORY_MS)
      : now + (tat - rate.latestAdmittedTat),
    tat,
    quota,
  });
  return refuse(tat, quota, rate);
};

/**
 * Admits a request that asks for a PDF: `parse` validates it first, so a request that fails
 * validation counts against the rate only, not the month's PDFs; so does a valid one `countsPdf` says
 * is not counted (a sandbox job). The admission of a valid request is returned running, for the
 * caller to await when it must (a quick job loads its document meanwhile).
 */
export const admitPdfRequest = async <T>(
  caller: Caller,
  headers: Record<string, string>,
  parse: () => T | Promise<T>,
  timings?: Timings,
  countsPdf: (request: T) => boolean = () => true,
): Promise<{ request: T; admission: Promise<{ period: string }> }> => {
  const admitting = (pdf: boolean) =>
    timings ? timings.time('admit', () => admit(caller, headers, pdf)) : admit(caller, headers, pdf);
  let request: T;
  try {
    request = await parse();
  } catch (err) {
    await admitting(false);
    throw err;
  }
  // A refusal this process already knows is the answer now, before any work is started for it.
  const pdf = countsPdf(request);
  if (knownRefusal(caller.user_id, pdf)) await admitting(pdf);
  const admission = admitting(pdf);
  admission.catch(() => undefined); // awaited by the caller; a refusal is its answer
  return { request, admission };
};

/** The plan, what has been used of it and when the month's count starts again: for GET /accounts/me. */
export const usageView = async (caller: Caller) => {
  const plan = planOf(caller);
  const now = ports().clock.now();
  const period = usagePeriod(now);
  const row = await ports().usage.getUsage(caller.user_id);
  const used = row?.[`pdfs_${period.id}`] ?? 0;
  return {
    plan: {
      rate_per_second: plan.rate_per_s,
      burst: plan.burst,
      monthly_pdfs: plan.monthly_pdfs,
      max_active_jobs: plan.max_active_jobs,
    },
    usage: {
      period: period.id,
      pdfs_used: used,
      pdfs_remaining: Math.max(0, plan.monthly_pdfs - used),
      resets_at: new Date(period.endsAt).toISOString(),
      active_jobs: row?.active_jobs ?? 0,
    },
  };
};
