import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { loggedErrors } from '../../helpers/log-lines.ts';
import { fakeWebhookQueue, queuedRow } from './fakes.ts';

const { usePorts } = await import('../../../src/app/ports.ts');
const { envelopeSecrets, useSecrets } = await import('../../../src/app/secrets-port.ts');
const { localDataKeys } = await import('../../../src/adapters/local-data-keys.ts');
const { deliverWebhookMessage } = await import('../../../src/app/webhook-delivery.ts');
const { rotateSigningSecret, setWebhook } = await import('../../../src/app/account.ts');
type Account = import('../../../src/adapters/users-table.ts').Account;

const secretsUnder = (key: Buffer) => envelopeSecrets(() => localDataKeys(key));
const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;
const account = (userId: string, webhookSecret?: string): Account => ({
  user_id: userId,
  api_key_hash: `hash-${userId}`,
  name: userId,
  created_at: '',
  ...(webhookSecret ? { webhook_secret: webhookSecret } : {}),
});

describe('webhook signing secrets at rest', () => {
  const key = randomBytes(32);
  const restores: Array<() => void> = [];
  afterEach(() => {
    for (const restore of restores.splice(0)) restore();
  });

  /** Delivery of a completed job of `owner`, whose Users row holds `stored`. */
  const deliver = async (owner: string, stored: string) => {
    const sent: Array<{ body: string; headers: Record<string, string> }> = [];
    const finished: unknown[] = [];
    const job = queuedRow('job-1', { owner, status: 'failed', webhook_url: 'https://hooks.example/p' });
    restores.push(
      useSecrets(secretsUnder(key)),
      usePorts({
        accounts: { getAccount: async (userId) => (userId === owner ? account(owner, stored) : undefined) },
        jobs: {
          claimWebhookDelivery: async () => job,
          finishWebhook: async (_jobId, outcome) => {
            finished.push(outcome);
          },
          recordWebhookAttempt: async () => undefined,
        },
        analytics: { recordEvent: async () => undefined },
        webhooks: {
          ...fakeWebhookQueue().gate,
          postWebhook: async (_url, body, headers) => {
            sent.push({ body, headers });
            return { statusCode: 200, durationMs: 1 };
          },
        },
      }),
    );
    const { errors } = await loggedErrors(() =>
      deliverWebhookMessage({ job_id: 'job-1', round: 1 }, { queuedAt: Date.now(), receives: 1 }),
    );
    return { sent, finished, errors };
  };

  it('signs with the secret its sealed value holds', async () => {
    const secret = newSecret();
    const { sent, errors } = await deliver('acct-a', await secretsUnder(key).seal('acct-a', secret));
    assert.equal(sent.length, 1);
    const [{ body, headers }] = sent as [{ body: string; headers: Record<string, string> }];
    assert.doesNotThrow(() => new Webhook(secret).verify(body, headers));
    assert.deepEqual(errors, []);
  });

  it("fails closed on another account's sealed value copied into the row: nothing sent, logged", async () => {
    const sealedForA = await secretsUnder(key).seal('acct-a', newSecret());
    const { sent, finished, errors } = await deliver('acct-b', sealedForA);
    assert.equal(sent.length, 0);
    assert.deepEqual(finished, [{ delivered: false, retryCount: 0 }]);
    assert.equal(errors[0]?.message, 'webhook not sent: the signing secret does not open for this account');
    assert.equal(errors[0]?.owner, 'acct-b');
    assert.ok(!JSON.stringify(errors).includes(sealedForA), 'the stored value is not logged');
  });

  it('keeps signing with a secret stored in clear before encryption at rest', async () => {
    const legacy = newSecret();
    const { sent } = await deliver('acct-a', legacy);
    const [{ body, headers }] = sent as [{ body: string; headers: Record<string, string> }];
    assert.doesNotThrow(() => new Webhook(legacy).verify(body, headers));
  });

  /** The account use cases against one in-memory Users row. */
  const accountsOf = (row: Account) => {
    const writes: Array<Record<string, unknown>> = [];
    restores.push(
      useSecrets(secretsUnder(key)),
      usePorts({
        accounts: {
          getAccount: async () => ({ ...row }),
          updateWebhookSettings: async (_userId, changes) => {
            writes.push(changes);
            Object.assign(row, changes);
            return { ...row };
          },
          replaceWebhookSecret: async (_userId, expected, next) => {
            if (row.webhook_secret !== expected) return false;
            writes.push({ replaced: next });
            row.webhook_secret = next;
            return true;
          },
        },
      }),
    );
    return writes;
  };

  it('stores only the sealed secret on set and rotate, and returns the secret it holds', async () => {
    const row = account('acct-a');
    accountsOf(row);
    const caller = { user_id: 'acct-a' };
    const set = await setWebhook(caller, 'http://127.0.0.1:4000/hooks');
    assert.match(set.signing_secret ?? '', /^whsec_/);
    assert.match(row.webhook_secret ?? '', /^v1:local:/);
    assert.equal(await secretsUnder(key).open('acct-a', row.webhook_secret ?? ''), set.signing_secret);
    const rotated = await rotateSigningSecret(caller);
    assert.notEqual(rotated.signing_secret, set.signing_secret);
    assert.match(row.webhook_secret ?? '', /^v1:local:/);
    assert.equal(await secretsUnder(key).open('acct-a', row.webhook_secret ?? ''), rotated.signing_secret);
  });

  it('seals a secret stored in clear on the next PUT, keeping its value and not showing it', async () => {
    const legacy = newSecret();
    const row = account('acct-a', legacy);
    const writes = accountsOf(row);
    const set = await setWebhook({ user_id: 'acct-a' }, 'http://127.0.0.1:4000/hooks');
    assert.equal(set.signing_secret, null);
    assert.match(row.webhook_secret ?? '', /^v1:local:/);
    assert.equal(await secretsUnder(key).open('acct-a', row.webhook_secret ?? ''), legacy);
    assert.ok(!JSON.stringify(writes).includes(legacy));
  });
});
