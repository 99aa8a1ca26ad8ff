import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';

const tables = {
  USERS_TABLE: 'u',
  JOBS_TABLE: 'j',
  ANALYTICS_TABLE: 'a',
  IDEMPOTENCY_TABLE: 'i',
  USAGE_TABLE: 'u',
  WEBHOOK_ENDPOINTS_TABLE: 'w',
  PDF_BUCKET: 'b',
  LONGJOB_QUEUE_URL: 'http://127.0.0.1:1/000000000000/q',
  WEBHOOK_QUEUE_URL: 'http://127.0.0.1:1/000000000000/w',
};

describe('config', () => {
  it('applies documented defaults', () => {
    const config = loadConfig(tables);
    assert.equal(config.PODPDF_STAGE, 'local');
    assert.equal(config.PODPDF_QUICKJOB_TIMEOUT_MS, 30_000);
    assert.equal(config.PODPDF_ALLOW_PRIVATE_NETWORK, false);
    assert.equal(config.DYNAMODB_ENDPOINT, undefined);
    assert.equal(config.PODPDF_PRESIGN_EXPIRES_S, 3600);
    assert.equal(config.PODPDF_LEASE_MS, 900_000);
    assert.equal(config.PODPDF_WEBHOOK_TIMEOUT_MS, 10_000);
    assert.deepEqual(config.PODPDF_WEBHOOK_RETRY_DELAYS_S, [5, 60, 600, 3600]);
    assert.equal(config.PODPDF_CURSOR_SECRET, undefined);
  });

  it('fails fast on missing tables and out-of-range limits', () => {
    assert.throws(() => loadConfig({}), /USERS_TABLE/);
    assert.throws(() => loadConfig({ ...tables, LONGJOB_QUEUE_URL: 'queue' }), /LONGJOB_QUEUE_URL/);
    assert.throws(
      () => loadConfig({ ...tables, PODPDF_QUICKJOB_TIMEOUT_MS: '60000' }),
      /PODPDF_QUICKJOB_TIMEOUT_MS/,
    );
    assert.throws(() => loadConfig({ ...tables, DYNAMODB_ENDPOINT: 'not a url' }), /DYNAMODB_ENDPOINT/);
    assert.throws(() => loadConfig({ ...tables, PODPDF_CURSOR_SECRET: 'short' }), /PODPDF_CURSOR_SECRET/);
    for (const schedule of ['5,60', '5,x,60', '5,-1,60', '5,60,50000'])
      assert.throws(
        () => loadConfig({ ...tables, PODPDF_WEBHOOK_RETRY_DELAYS_S: schedule }),
        /PODPDF_WEBHOOK_RETRY_DELAYS_S/,
        schedule,
      );
    assert.deepEqual(
      loadConfig({ ...tables, PODPDF_WEBHOOK_RETRY_DELAYS_S: '1, 2,3' }).PODPDF_WEBHOOK_RETRY_DELAYS_S,
      [1, 2, 3],
    );
  });
});
