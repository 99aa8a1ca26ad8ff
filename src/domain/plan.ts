import * as z from 'zod';

/**
 * What an account may use: a request rate (a token bucket of `burst` requests refilled at
 * `rate_per_s`, over every authenticated endpoint), PDFs per calendar month (UTC; quick and long
 * jobs) and long jobs queued or processing at once. Defaults come from the deployment's settings; an
 * account's row may override any of them (`plan` on its Users row).
 */
export interface Plan {
  rate_per_s: number;
  burst: number;
  monthly_pdfs: number;
  max_active_jobs: number;
}

export const planOverrideSchema = z
  .object({
    rate_per_s: z.number().positive(),
    burst: z.number().int().positive(),
    monthly_pdfs: z.number().int().min(0),
    max_active_jobs: z.number().int().min(0),
  })
  .partial();
export type PlanOverride = z.infer<typeof planOverrideSchema>;

/** The month a PDF counts towards, `YYYY-MM` in UTC, and when that month ends. */
export const usagePeriod = (now: number): { id: string; endsAt: number } => {
  const date = new Date(now);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  return {
    id: `${year}-${String(month + 1).padStart(2, '0')}`,
    endsAt: Date.UTC(year, month + 1, 1),
  };
};

/**
 * The token bucket as GCRA: one number per account, the theoretical arrival time (`tat`, epoch ms)
 * of the next request at the sustained rate. A request is admitted while `tat` is at most `burst - 1`
 * intervals ahead of now; admitting it moves `tat` one interval on (from now, if it had fallen
 * behind). Both cases are single conditional writes.
 */
export const bucket = (plan: Pick<Plan, 'rate_per_s' | 'burst'>, now: number) => {
  const intervalMs = 1000 / plan.rate_per_s;
  const toleranceMs = plan.burst * intervalMs;
  return {
    intervalMs,
    /** The latest `tat` at which a request is still admitted (and moves it one interval on). */
    latestAdmittedTat: now + toleranceMs - intervalMs,
    /** Requests left right after one moved `tat` to `newTat`. */
    remaining: (newTat: number) => Math.max(0, Math.floor((now + toleranceMs - newTat) / intervalMs)),
    /** Seconds until the bucket is full again after `newTat`. */
    resetSeconds: (newTat: number) => Math.max(0, Math.ceil((newTat - now) / 1000)),
    /** Seconds to wait, refused at `tat`, before a request is admitted again (at least 1). */
    retryAfterSeconds: (tat: number) =>
      Math.max(1, Math.ceil((tat - (now + toleranceMs - intervalMs)) / 1000)),
  };
};
