import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { extractApiKey, generateApiKey, hashApiKey } from '../../../src/domain/api-key.ts';

describe('api keys', () => {
  it('hashes with SHA-256 hex', () => {
    assert.equal(hashApiKey('abc'), createHash('sha256').update('abc').digest('hex'));
  });

  it('generates distinct prefixed keys', () => {
    const a = generateApiKey('podpdf_dev');
    assert.match(a, /^podpdf_dev_[A-Za-z0-9_-]{43}$/);
    assert.notEqual(a, generateApiKey('podpdf_dev'));
  });

  it('reads Bearer first, then X-API-Key', () => {
    assert.equal(extractApiKey('Bearer k1', 'k2'), 'k1');
    assert.equal(extractApiKey('bearer   k1 ', undefined), 'k1');
    assert.equal(extractApiKey(undefined, ' k2 '), 'k2');
    assert.equal(extractApiKey('Basic abc', 'k2'), 'k2');
    assert.equal(extractApiKey('Basic abc', undefined), undefined);
    assert.equal(extractApiKey(undefined, ''), undefined);
  });
});
