import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JobRecord } from '../../../src/domain/job.ts';
import {
  isDelivered,
  webhookMessageId,
  webhookPayload,
  webhookRetryDelayMs,
} from '../../../src/domain/webhook.ts';

const job: JobRecord = {
  job_id: '9f0a4b78-2c0c-4d14-9b8b-123456789abc',
  owner: 'acct',
  job_type: 'long',
  status: 'completed',
  mode: 'html',
  pages: 150,
  truncated: true,
  created_at: '2026-01-01T10:30:00.000Z',
  completed_at: '2026-01-01T10:32:15.000Z',
  ttl: 1,
};

describe('webhook payload', () => {
  it('carries the plan fields plus truncated', () => {
    assert.deepEqual(webhookPayload(job, { url: 'https://s3/x', expiresAt: '2026-01-01T11:32:15.000Z' }), {
      job_id: job.job_id,
      status: 'completed',
      s3_url: 'https://s3/x',
      s3_url_expires_at: '2026-01-01T11:32:15.000Z',
      pages: 150,
      truncated: true,
      mode: 'html',
      created_at: '2026-01-01T10:30:00.000Z',
      completed_at: '2026-01-01T10:32:15.000Z',
    });
  });

  it('describes failures with an error and no URL', () => {
    const payload = webhookPayload({
      ...job,
      status: 'failed',
      error_code: 'RENDER_TIMEOUT',
      error_message: 'slow',
    });
    assert.equal(payload.s3_url, null);
    assert.deepEqual(payload.error, { code: 'RENDER_TIMEOUT', message: 'slow' });
  });

  it('keeps one message id per job outcome', () => {
    assert.equal(webhookMessageId(job), 'msg_9f0a4b782c0c4d149b8b123456789abc_completed');
    assert.notEqual(webhookMessageId(job), webhookMessageId({ ...job, status: 'failed' }));
  });
});

describe('webhook retries', () => {
  it('doubles the delay per retry within ±20% jitter', () => {
    assert.deepEqual(
      [1, 2, 3].map((retry) => webhookRetryDelayMs(retry, 1000, () => 0.5)),
      [1000, 2000, 4000],
    );
    assert.equal(
      webhookRetryDelayMs(1, 1000, () => 0),
      800,
    );
    assert.equal(
      webhookRetryDelayMs(3, 1000, () => 1),
      4800,
    );
  });

  it('counts only 2xx as delivered', () => {
    assert.deepEqual([199, 200, 204, 299, 301, 404, 500].map(isDelivered), [
      false,
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});
