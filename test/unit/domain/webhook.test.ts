import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JobRecord } from '../../../src/domain/job.ts';
import {
  breakerCooldownS,
  isDelivered,
  isEndpointFailure,
  retryAfterSeconds,
  webhookMessageId,
  webhookPayload,
  webhookRetryDelayS,
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
      test: false,
    });
  });

  it('says when the job is a sandbox job', () => {
    assert.equal(webhookPayload({ ...job, test: true }).test, true);
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
  it('follows the schedule, each delay within ±20%, and ends with it', () => {
    const schedule = [5, 60, 600, 3600];
    assert.deepEqual(
      [1, 2, 3, 4].map((retry) => webhookRetryDelayS(schedule, retry, () => 0.5)),
      [5, 60, 600, 3600],
    );
    assert.equal(
      webhookRetryDelayS(schedule, 2, () => 0),
      48,
    );
    assert.equal(
      webhookRetryDelayS(schedule, 2, () => 1),
      72,
    );
    assert.equal(webhookRetryDelayS(schedule, 5), undefined, 'no fifth retry');
  });

  it("reads a receiver's Retry-After as seconds or a date, within 12 hours", () => {
    const now = Date.parse('2026-12-07T10:00:00Z');
    assert.equal(retryAfterSeconds('120', now), 120);
    assert.equal(retryAfterSeconds('Mon, 07 Dec 2026 10:05:00 GMT', now), 300);
    assert.equal(retryAfterSeconds('Mon, 07 Dec 2026 09:00:00 GMT', now), 0, 'a date passed: now');
    assert.equal(retryAfterSeconds('999999', now), 43_200);
    assert.equal(retryAfterSeconds('soon', now), undefined);
    assert.equal(retryAfterSeconds(undefined, now), undefined);
  });

  it('counts no answer, 5xx, 408 and 429 against an endpoint, and other answers for it', () => {
    assert.deepEqual([undefined, 500, 503, 408, 429].map(isEndpointFailure), [true, true, true, true, true]);
    assert.deepEqual([200, 301, 400, 401, 404, 410].map(isEndpointFailure), [
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('keeps an open circuit closed to all but probes for longer after each failed probe, at most an hour', () => {
    assert.deepEqual(
      [5, 6, 7, 8].map((failures) => breakerCooldownS(failures, 5, 60)),
      [60, 120, 240, 480],
    );
    assert.equal(breakerCooldownS(40, 5, 60), 3600);
    assert.equal(breakerCooldownS(2, 5, 60), 60, 'below the threshold it is not used, but stays the base');
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
