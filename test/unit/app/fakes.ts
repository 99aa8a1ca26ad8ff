import type { Ports } from '../../../src/app/ports.ts';
import { allowsTransition, type JobRecord } from '../../../src/domain/job.ts';

/** The handlers' settings, as the local stack would set them; the fakes never reach these names. */
export const FAKE_ENV = {
  USERS_TABLE: 'users',
  JOBS_TABLE: 'jobs',
  ANALYTICS_TABLE: 'analytics',
  IDEMPOTENCY_TABLE: 'idempotency',
  USAGE_TABLE: 'usage',
  PDF_BUCKET: 'pdfs',
  LONGJOB_QUEUE_URL: 'http://127.0.0.1:1/000000000000/longjob',
  PODPDF_STAGE: 'local',
};
Object.assign(process.env, FAKE_ENV);

/**
 * An in-memory job table for the writes the failure paths use, allowing each transition by the same
 * rule the table's conditions are built from (domain/job.ts); every write answers with the row it
 * left or undefined.
 */
export const fakeJobs = () => {
  const rows = new Map<string, JobRecord>();
  const jobs: Partial<Ports['jobs']> = {
    insertJob: async (job) => {
      rows.set(job.job_id, { ...job });
    },
    getJob: async (jobId) => {
      const row = rows.get(jobId);
      return row && { ...row };
    },
    claimJob: async (jobId, token, now, leaseMs) => {
      const row = rows.get(jobId);
      if (!row || !allowsTransition('claim', row, now)) return undefined;
      Object.assign(row, {
        status: 'processing',
        lease_token: token,
        lease_expires_at: now + leaseMs,
        attempts: (row.attempts ?? 0) + 1,
      });
      return { ...row };
    },
    releaseClaim: async (jobId, token) => {
      const row = rows.get(jobId);
      if (!row || !allowsTransition('release', row, Date.now(), token)) return undefined;
      row.status = 'queued';
      delete row.lease_token;
      delete row.lease_expires_at;
      return { ...row };
    },
    failJob: async (jobId, error, options) => {
      const row = rows.get(jobId);
      const transition = options.token ? 'failClaimed' : 'failUnclaimed';
      if (!row || !allowsTransition(transition, row, options.now, options.token)) return undefined;
      Object.assign(row, {
        status: 'failed',
        error_code: error.code,
        error_message: error.message,
        completed_at: new Date(options.now).toISOString(),
      });
      if (options.webhookLeaseUntil !== undefined) row.webhook_lease_expires_at = options.webhookLeaseUntil;
      if (options.withoutWebhook) delete row.webhook_url;
      delete row.lease_token;
      delete row.lease_expires_at;
      return { ...row };
    },
    completeJob: async (jobId, token, fields, options) => {
      const row = rows.get(jobId);
      if (!row || !allowsTransition('complete', row, options.now, token)) return undefined;
      Object.assign(row, { ...fields, status: 'completed' });
      if (options.webhookLeaseUntil !== undefined) row.webhook_lease_expires_at = options.webhookLeaseUntil;
      delete row.lease_token;
      delete row.lease_expires_at;
      return { ...row };
    },
    requeueJob: async (jobId, owner, retryCount, now) => {
      const row = rows.get(jobId);
      if (
        !row ||
        !allowsTransition('retry', row, now) ||
        row.owner !== owner ||
        row.job_type !== 'long' ||
        (row.retry_count ?? 0) !== retryCount ||
        (row.webhook_url !== undefined && row.webhook_delivered === undefined)
      )
        return undefined;
      for (const field of [
        'error_code',
        'error_message',
        'completed_at',
        'stage',
        'webhook_delivered',
      ] as const)
        delete row[field];
      Object.assign(row, { status: 'queued', active_owner: owner, retry_count: retryCount + 1 });
      return { ...row };
    },
    undoRetry: async (jobId, previous, now) => {
      const row = rows.get(jobId);
      if (
        !row ||
        !allowsTransition('undoRetry', row, now) ||
        row.retry_count !== (previous.retry_count ?? 0) + 1
      )
        return undefined;
      rows.set(jobId, { ...previous });
      return { ...previous };
    },
    recentRenderDurations: async () => [],
  };
  return { rows, jobs };
};

/** A row as submitLongjob writes it, queued, for tests that start from an accepted job. */
export const queuedRow = (jobId: string, fields: Partial<JobRecord> = {}): JobRecord => ({
  job_id: jobId,
  owner: 'acct-a',
  job_type: 'long',
  status: 'queued',
  mode: 'html',
  options: {},
  created_at: new Date().toISOString(),
  ttl: 0,
  ...fields,
});

/** A clock that starts at `start` and moves only when slept on: backoff and lease waits take no time. */
export const fakeClock = (start = Date.now()) => {
  let now = start;
  const slept: number[] = [];
  const clock: Ports['clock'] = {
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
  return { clock, slept };
};

/** An in-memory Usage table: active long jobs per account, PDFs given back; every request admitted. */
export const fakeUsage = (maxActive = Number.POSITIVE_INFINITY) => {
  const active = new Map<string, number>();
  const refunds: string[] = [];
  const usage: Partial<Ports['usage']> = {
    reserveActiveJob: async (userId) => {
      const now = active.get(userId) ?? 0;
      if (now >= maxActive) return false;
      active.set(userId, now + 1);
      return true;
    },
    releaseActiveJob: async (userId) => {
      active.set(userId, Math.max(0, (active.get(userId) ?? 0) - 1));
    },
    refundPdf: async (_userId, period) => {
      refunds.push(period);
    },
  };
  return { active, refunds, usage };
};
