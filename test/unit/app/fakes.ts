import type { Ports } from '../../../src/app/ports.ts';
import type { JobRecord } from '../../../src/domain/job.ts';

/** The handlers' settings, as the local stack would set them; the fakes never reach these names. */
export const FAKE_ENV = {
  USERS_TABLE: 'users',
  JOBS_TABLE: 'jobs',
  ANALYTICS_TABLE: 'analytics',
  IDEMPOTENCY_TABLE: 'idempotency',
  PDF_BUCKET: 'pdfs',
  LONGJOB_QUEUE_URL: 'http://127.0.0.1:1/000000000000/longjob',
  PODPDF_STAGE: 'local',
};
Object.assign(process.env, FAKE_ENV);

/**
 * An in-memory job table with the conditions of adapters/jobs-table.ts for the writes the failure
 * paths use: a job is claimed only while queued (or its lease has run out), failed without a token
 * only while queued or unclaimed, and every write answers with the row it left or undefined.
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
      const free =
        row?.status === 'queued' || (row?.status === 'processing' && (row.lease_expires_at ?? 0) < now);
      if (!row || !free) return undefined;
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
      if (!row || row.lease_token !== token || row.status !== 'processing') return undefined;
      row.status = 'queued';
      delete row.lease_token;
      delete row.lease_expires_at;
      return { ...row };
    },
    failJob: async (jobId, error, options) => {
      const row = rows.get(jobId);
      if (!row) return undefined;
      const allowed = options.token
        ? row.lease_token === options.token && row.status === 'processing'
        : row.status === 'queued' ||
          (row.status === 'processing' && (row.lease_expires_at ?? 0) < options.now);
      if (!allowed) return undefined;
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
