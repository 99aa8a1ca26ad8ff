import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { FAKE_ENV } from './fakes.ts';

const { kmsDataKeys } = await import('../../../src/adapters/kms-data-keys.ts');
const { localDataKeys } = await import('../../../src/adapters/local-data-keys.ts');
const { dataKeyProviderFor, envelopeSecrets, remembering } = await import('../../../src/app/secrets-port.ts');
const { loadConfig } = await import('../../../src/config.ts');
const { SealedSecretError } = await import('../../../src/domain/sealed-secret.ts');
type KmsCalls = import('../../../src/adapters/kms-data-keys.ts').KmsCalls;

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/secrets';

/**
 * KMS as far as podpdf uses it: one key, data keys wrapped under it and bound to their encryption
 * context, Decrypt refusing with InvalidCiphertextException what does not open under the context
 * given, and IncorrectKeyException for another key. Records every call.
 */
const fakeKms = () => {
  const master = localDataKeys(randomBytes(32));
  const calls: Array<{ op: string; KeyId: string; EncryptionContext: Record<string, string> }> = [];
  const refusal = (name: string) => Object.assign(new Error(name), { name });
  const kms: KmsCalls = {
    generateDataKey: async ({ KeyId, KeySpec, EncryptionContext }) => {
      calls.push({ op: 'GenerateDataKey', KeyId, EncryptionContext });
      assert.equal(KeySpec, 'AES_256');
      const { plaintext, wrapped } = await master.generate(EncryptionContext);
      return {
        Plaintext: plaintext,
        CiphertextBlob: Buffer.concat([Buffer.from(KeyId), Buffer.from([0]), wrapped]),
      };
    },
    decrypt: async ({ KeyId, CiphertextBlob, EncryptionContext }) => {
      calls.push({ op: 'Decrypt', KeyId, EncryptionContext });
      const blob = Buffer.from(CiphertextBlob);
      const split = blob.indexOf(0);
      if (blob.subarray(0, split).toString() !== KeyId) throw refusal('IncorrectKeyException');
      try {
        return { Plaintext: await master.unwrap(blob.subarray(split + 1), EncryptionContext) };
      } catch {
        throw refusal('InvalidCiphertextException');
      }
    },
  };
  return { kms, calls };
};

const config = (env: Record<string, string>) => loadConfig({ ...FAKE_ENV, ...env });

describe('secrets port: envelope encryption', () => {
  const local = envelopeSecrets(() => localDataKeys(randomBytes(32)));
  const localKey = randomBytes(32);
  const secrets = envelopeSecrets(() => localDataKeys(localKey));

  it('seals with a local key and opens only for the same account and key', async () => {
    const stored = await secrets.seal('acct-a', SECRET);
    assert.match(stored, /^v1:local:/);
    assert.equal(await secrets.open('acct-a', stored), SECRET);
    await assert.rejects(secrets.open('acct-b', stored), SealedSecretError, "another account's row");
    await assert.rejects(local.open('acct-a', stored), SealedSecretError, 'another local key');
    const parts = stored.split(':');
    const ciphertext = Buffer.from(parts[5] ?? '', 'base64url');
    ciphertext[0] = (ciphertext[0] ?? 0) ^ 0x80;
    parts[5] = ciphertext.toString('base64url');
    await assert.rejects(secrets.open('acct-a', parts.join(':')), SealedSecretError, 'tampered');
  });

  it('opens a secret stored in clear before encryption at rest, without any key', async () => {
    const keyless = envelopeSecrets(() => assert.fail('no key is needed for a clear secret'));
    assert.equal(await keyless.open('acct-a', SECRET), SECRET);
  });

  it('with KMS: one GenerateDataKey per seal and one Decrypt per open, bound to the account', async () => {
    const { kms, calls } = fakeKms();
    const viaKms = envelopeSecrets(() => kmsDataKeys(KEY_ARN, kms));
    const stored = await viaKms.seal('acct-a', SECRET);
    assert.match(stored, /^v1:kms:/);
    assert.ok(!stored.includes(SECRET.slice(6)));
    assert.equal(await viaKms.open('acct-a', stored), SECRET);
    const context = { purpose: 'webhook-signing-secret', user_id: 'acct-a' };
    assert.deepEqual(calls, [
      { op: 'GenerateDataKey', KeyId: KEY_ARN, EncryptionContext: context },
      { op: 'Decrypt', KeyId: KEY_ARN, EncryptionContext: context },
    ]);
    await assert.rejects(
      viaKms.open('acct-b', stored),
      SealedSecretError,
      "KMS refuses another account's context",
    );
    const otherKey = envelopeSecrets(() => kmsDataKeys(`${KEY_ARN}-2`, kms));
    await assert.rejects(otherKey.open('acct-a', stored), SealedSecretError, 'another KMS key');
    await assert.rejects(
      secrets.open('acct-a', stored),
      SealedSecretError,
      'a local key cannot open a KMS value',
    );
  });

  it('with KMS: an outage or a denial is not a bad secret, and is thrown as it is', async () => {
    const { kms } = fakeKms();
    const stored = await envelopeSecrets(() => kmsDataKeys(KEY_ARN, kms)).seal('acct-a', SECRET);
    const down = envelopeSecrets(() =>
      kmsDataKeys(KEY_ARN, {
        ...kms,
        decrypt: async () => {
          throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
        },
      }),
    );
    await assert.rejects(down.open('acct-a', stored), (err: Error) => {
      assert.equal(err.name, 'ThrottlingException');
      assert.ok(!(err instanceof SealedSecretError));
      return true;
    });
  });

  it('remembers an opened secret per account and stored value only', async () => {
    let opens = 0;
    const counted = remembering({
      seal: secrets.seal,
      open: async (accountId, stored) => {
        opens += 1;
        return secrets.open(accountId, stored);
      },
    });
    const stored = await secrets.seal('acct-a', SECRET);
    assert.equal(await counted.open('acct-a', stored), SECRET);
    assert.equal(await counted.open('acct-a', stored), SECRET);
    assert.equal(opens, 1);
    await assert.rejects(counted.open('acct-b', stored), SealedSecretError);
    const rotated = await secrets.seal('acct-a', `${SECRET}x`);
    assert.equal(await counted.open('acct-a', rotated), `${SECRET}x`);
    assert.equal(opens, 3);
  });
});

describe('secrets port: which key', () => {
  const localKey = randomBytes(32).toString('base64');

  it('uses KMS when PODPDF_SECRETS_KEY_ID is set, and the local key on the local stage', () => {
    assert.equal(
      dataKeyProviderFor(config({ PODPDF_STAGE: 'prod', PODPDF_SECRETS_KEY_ID: KEY_ARN })).wrapper,
      'kms',
    );
    assert.equal(dataKeyProviderFor(config({ PODPDF_LOCAL_SECRET_KEY: localKey })).wrapper, 'local');
  });

  it('fails closed on a deployed stage without a KMS key, and refuses a local key there', () => {
    assert.throws(() => dataKeyProviderFor(config({ PODPDF_STAGE: 'prod' })), /PODPDF_SECRETS_KEY_ID/);
    assert.throws(
      () => dataKeyProviderFor(config({ PODPDF_STAGE: 'prod', PODPDF_LOCAL_SECRET_KEY: localKey })),
      /local stage only/,
    );
    assert.throws(() => dataKeyProviderFor(config({})), /PODPDF_LOCAL_SECRET_KEY/);
  });

  it('refuses a local key that is not 32 bytes in base64, without echoing it', () => {
    assert.throws(
      () => config({ PODPDF_LOCAL_SECRET_KEY: 'c2hvcnQ=' }),
      (err: Error) =>
        /PODPDF_LOCAL_SECRET_KEY: must be 32 bytes/.test(err.message) && !err.message.includes('c2hvcnQ'),
    );
  });
});
