import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';

const tables = { USERS_TABLE: 'u', JOBS_TABLE: 'j', ANALYTICS_TABLE: 'a' };

describe('config', () => {
  it('applies documented defaults', () => {
    const config = loadConfig(tables);
    assert.equal(config.PODPDF_STAGE, 'local');
    assert.equal(config.PODPDF_QUICKJOB_TIMEOUT_MS, 30_000);
    assert.equal(config.PODPDF_ALLOW_PRIVATE_NETWORK, false);
    assert.equal(config.DYNAMODB_ENDPOINT, undefined);
  });

  it('fails fast on missing tables and out-of-range limits', () => {
    assert.throws(() => loadConfig({}), /USERS_TABLE/);
    assert.throws(
      () => loadConfig({ ...tables, PODPDF_QUICKJOB_TIMEOUT_MS: '60000' }),
      /PODPDF_QUICKJOB_TIMEOUT_MS/,
    );
    assert.throws(() => loadConfig({ ...tables, DYNAMODB_ENDPOINT: 'not a url' }), /DYNAMODB_ENDPOINT/);
  });
});
