import type { Ports } from '../../../src/app/ports.ts';
import { allowsTransition, type JobRecord } from '../../../src/domain/job.ts';

/** The handlers' settings, as the local stack would set them; the fakes never reach these names. */
export const FAKE_ENV = {
  USERS_TABLE: 'users',
  JOBS_TABLE: 'jobs',
  ANALYTICS_TABLE: 'analytics',
  IDEMPOTENCY_TABLE: 'idempotency',
  USAGE_TABLE: 'usage',
  WEBHOOK_ENDPOINTS_TABLE: 'webhook-endpoints',
  PDF_BUCKET: 'pdfs',
  LONGJOB_QUEUE_URL: 'http://127.0.0.1:1/000000000000/longjob',
  WEBHOOK_QUEUE_URL: 'http://127.0.0.1:1/000000000000/webhook',
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
      if (options.expectAttempts !== undefined && (row.attempts ?? 0) !== options.expectAttempts)
        return undefined;
      Object.assign(row, {
        status: 'failed',
        error_code: error.code,
        error_message: error.message,
        completed_at: new Date(options.now).toISOString(),
      });
      if (options.withoutWebhook) delete row.webhook_url;
      delete row.lease_token;
      delete row.lease_expires_at;
      return { ...row };
    },
    completeJob: async (jobId, token, fields, options) => {
      const row = rows.get(jobId);
      if (!row || !allowsTransition('complete', row, options.now, token)) return undefined;
      Object.assign(row, { ...fields, status: 'completed' });
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

/**
 * The webhook writes of the job table on the same in-memory rows, by the same conditions as
 * adapters/job-webhooks.ts: rounds, the delivery claim, the due time of the next attempt.
 */
export const fakeWebhookRows = (rows: Map<string, JobRecord>) => {
  const pending = (row: JobRecord | undefined): row is JobRecord =>
    Boolean(row && ['completed', 'failed'].includes(row.status) && row.webhook_url);
  const jobs: Partial<Ports['jobs']> = {
    claimWebhookDelivery: async (jobId, round, now, leaseMs) => {
      const row = rows.get(jobId);
      if (
        !pending(row) ||
        row.webhook_delivered !== undefined ||
        (row.webhook_round ?? 1) !== round ||
        (row.webhook_lease_expires_at ?? 0) >= now ||
        (row.webhook_next_at ?? 0) > now
      )
        return undefined;
      row.webhook_lease_expires_at = now + leaseMs;
      return structuredClone(row);
    },
    recordWebhookAttempt: async (jobId, attempt, then) => {
      const row = rows.get(jobId);
      if (!row) return;
      row.webhook_retry_log = [...(row.webhook_retry_log ?? []), attempt];
      delete row.webhook_lease_expires_at;
      if ('outcome' in then) {
        row.webhook_delivered = then.outcome.delivered;
        row.webhook_retry_count = then.outcome.retryCount;
      } else row.webhook_next_at = then.nextAt;
    },
    finishWebhook: async (jobId, outcome) => {
      const row = rows.get(jobId);
      if (!row) return;
      row.webhook_delivered = outcome.delivered;
      row.webhook_retry_count = outcome.retryCount;
      delete row.webhook_lease_expires_at;
    },
    releaseWebhookDelivery: async (jobId) => {
      delete rows.get(jobId)?.webhook_lease_expires_at;
    },
    startWebhookRound: async (jobId, owner, seen, now) => {
      const row = rows.get(jobId);
      if (
        !pending(row) ||
        row.owner !== owner ||
        (row.webhook_round ?? 1) !== seen.round ||
        (row.webhook_retry_log?.length ?? 0) !== seen.logLength ||
        (row.webhook_lease_expires_at ?? 0) >= now
      )
        return undefined;
      Object.assign(row, { webhook_round: seen.round + 1, webhook_round_start: seen.logLength });
      delete row.webhook_delivered;
      delete row.webhook_retry_count;
      delete row.webhook_next_at;
      return structuredClone(row);
    },
  };
  return jobs;
};

/** The webhook queue as a list of message bodies, and an endpoint gate that admits every send. */
export const fakeWebhookQueue = () => {
  const queued: string[] = [];
  const queue: Partial<Ports['queue']> = {
    enqueueWebhook: async (body) => {
      queued.push(body);
    },
  };
  const gate: Partial<Ports['webhooks']> = {
    admitSend: async () => ({ admitted: true, probe: false, failures: 0 }),
    recordSendOutcome: async () => undefined,
  };
  return { queued, queue, gate };
};
