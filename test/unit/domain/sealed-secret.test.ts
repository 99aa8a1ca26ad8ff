import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  formatSealed,
  isLegacyClearSecret,
  openWithDataKey,
  parseSealed,
  SealedSecretError,
  sealWithDataKey,
} from '../../../src/domain/sealed-secret.ts';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const dataKey = () => ({ plaintext: randomBytes(32), wrapped: randomBytes(60), wrapper: 'local' as const });

describe('sealed secret', () => {
  it('seals into a versioned string without the secret in it, and opens for its account', () => {
    const key = dataKey();
    const stored = sealWithDataKey(key, 'acct-a', SECRET);
    assert.match(stored, /^v1:local:[\w-]+:[\w-]+:[\w-]+:[\w-]+$/);
    assert.ok(!stored.includes(SECRET) && !stored.includes(SECRET.slice(6)));
    assert.equal(isLegacyClearSecret(stored), false);
    assert.deepEqual(parseSealed(stored).wrappedKey, key.wrapped);
    assert.equal(openWithDataKey(key.plaintext, 'acct-a', parseSealed(stored)), SECRET);
    assert.notEqual(sealWithDataKey(key, 'acct-a', SECRET), stored, 'a fresh iv per seal');
  });

  it('does not open for another account, under another key, or once any field is changed', () => {
    const key = dataKey();
    const stored = sealWithDataKey(key, 'acct-a', SECRET);
    assert.throws(() => openWithDataKey(key.plaintext, 'acct-b', parseSealed(stored)), SealedSecretError);
    assert.throws(() => openWithDataKey(randomBytes(32), 'acct-a', parseSealed(stored)), SealedSecretError);
    const parsed = parseSealed(stored);
    for (const field of ['iv', 'tag', 'ciphertext'] as const) {
      const tampered = { ...parsed, [field]: Buffer.from(parsed[field]) };
      tampered[field][0] = (tampered[field][0] ?? 0) ^ 1;
      assert.throws(
        () => openWithDataKey(key.plaintext, 'acct-a', parseSealed(formatSealed(tampered))),
        SealedSecretError,
        field,
      );
    }
  });

  it('refuses values it cannot read as sealed, and tells a legacy clear secret apart', () => {
    for (const value of [
      '',
      'v2:local:a:b:c:d',
      'v1:vault:a:b:c:d',
      'v1:kms:a:b:c',
      'v1:kms:a:b:c:d=',
      SECRET,
    ])
      assert.throws(() => parseSealed(value), SealedSecretError, value);
    assert.equal(isLegacyClearSecret(SECRET), true);
  });
});
