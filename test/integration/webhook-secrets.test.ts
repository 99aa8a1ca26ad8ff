import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Webhook } from 'standardwebhooks';
import { getDocumentClient } from '../../src/adapters/dynamodb.ts';
import { getJob } from '../../src/adapters/jobs-table.ts';
import type { JobRecord } from '../../src/domain/job.ts';
import { loggedErrors } from '../helpers/log-lines.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';
import { twoTenantKeys } from '../helpers/tenants.ts';
import { eventually, startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

describe('webhook signing secrets, sealed at rest, through the local stack', () => {
  const [keyA, keyB] = twoTenantKeys();
  let stack: TestStack;
  let receiver: WebhookReceiver;
  let accountA: string;
  let accountB: string;
  let secretA: string;

  before(async () => {
    stack = await startTestStack({
      apiKeys: [keyA, keyB],
      env: { PODPDF_WEBHOOK_RETRY_DELAYS_S: '1,1,1', PODPDF_WEBHOOK_TIMEOUT_MS: '2000' },
    });
    [accountA, accountB] = stack.accounts.map((a) => a.user_id) as [string, string];
    receiver = await startWebhookReceiver();
  });
  after(async () => {
    await receiver.close();
    await stack.stop();
  });

  const usersRow = async (userId: string) =>
    (
      await getDocumentClient().send(
        new GetCommand({ TableName: process.env.USERS_TABLE, Key: { user_id: userId } }),
      )
    ).Item as Record<string, unknown>;
  const storeSecret = (userId: string, value: string) =>
    getDocumentClient().send(
      new UpdateCommand({
        TableName: process.env.USERS_TABLE,
        Key: { user_id: userId },
        UpdateExpression: 'SET webhook_secret = :v',
        ExpressionAttributeValues: { ':v': value },
      }),
    );
  const setWebhook = async (apiKey: string) => {
    const res = await stack.call('PUT', '/accounts/me/webhook', { apiKey, body: { url: receiver.url } });
    assert.equal(res.status, 200);
    return (await res.json()) as { url: string; signing_secret: string | null };
  };
  /** Submits a long job as `apiKey` and waits until its webhook's outcome is recorded. */
  const longjob = async (apiKey: string) => {
    const res = await stack.call('POST', '/longjob', {
      apiKey,
      body: { input_type: 'html', html: '<p>signed</p>' },
    });
    assert.equal(res.status, 202);
    const { job_id: jobId } = (await res.json()) as { job_id: string };
    const row = await eventually(
      async () => {
        const job = await getJob(jobId);
        return job?.webhook_delivered === undefined ? undefined : job;
      },
      30_000,
      'the webhook outcome',
    );
    const hooks = receiver.received.filter(
      (w) => (JSON.parse(w.body) as { job_id: string }).job_id === jobId,
    );
    return { row: row as JobRecord, hooks };
  };
  const verifies = (secret: string, hook: { body: string; headers: Record<string, unknown> }) =>
    new Webhook(secret).verify(hook.body, hook.headers as Record<string, string>);

  it('stores the secret sealed, shows what it showed, and signs with the secret the API returned', async () => {
    const set = await setWebhook(keyA);
    secretA = set.signing_secret ?? assert.fail('the first PUT returns the secret');
    const row = await usersRow(accountA);
    assert.match(String(row.webhook_secret), /^v1:local:/);
    const raw = JSON.stringify(row);
    assert.ok(!raw.includes(secretA) && !raw.includes(secretA.slice('whsec_'.length)), 'no secret in clear');

    const me = await stack.call('GET', '/accounts/me', { apiKey: keyA });
    const text = await me.text();
    assert.deepEqual((JSON.parse(text) as { webhook: unknown }).webhook, {
      url: receiver.url,
      signing_secret_set: true,
      disabled: null,
    });
    assert.ok(!text.includes(String(row.webhook_secret)) && !text.includes(secretA));

    const { row: job, hooks } = await longjob(keyA);
    assert.equal(job.webhook_delivered, true);
    assert.equal(hooks.length, 1);
    assert.doesNotThrow(() => verifies(secretA, hooks[0] as (typeof hooks)[0]));
  });

  it("refuses account A's sealed secret copied into B's row: B's webhook is not sent, and it is logged", async () => {
    const setB = await setWebhook(keyB);
    assert.match(setB.signing_secret ?? '', /^whsec_/);
    const sealedA = String((await usersRow(accountA)).webhook_secret);
    await storeSecret(accountB, sealedA);
    const { result, errors } = await loggedErrors(() => longjob(keyB));
    assert.equal(result.row.status, 'completed', 'the job itself is done and pollable');
    assert.equal(result.row.webhook_delivered, false);
    assert.equal(result.row.webhook_retry_log, undefined, 'no attempt was made');
    assert.deepEqual(result.hooks, [], 'nothing signed with A’s secret reached the receiver');
    const refusal = errors.find(
      (e) => e.message === 'webhook not sent: the signing secret does not open for this account',
    );
    assert.equal(refusal?.owner, accountB);
    assert.equal(refusal?.jobId, result.row.job_id);
  });

  it('refuses a tampered sealed secret', async () => {
    const sealed = String((await usersRow(accountA)).webhook_secret);
    const parts = sealed.split(':');
    const ciphertext = parts[5] ?? '';
    parts[5] = `${ciphertext[0] === 'A' ? 'B' : 'A'}${ciphertext.slice(1)}`;
    await storeSecret(accountA, parts.join(':'));
    try {
      const { row, hooks } = await longjob(keyA);
      assert.equal(row.webhook_delivered, false);
      assert.deepEqual(hooks, []);
    } finally {
      await storeSecret(accountA, sealed);
    }
  });

  it('keeps signing with a secret stored in clear before encryption at rest, and seals it on the next PUT', async () => {
    const legacy = `whsec_${Buffer.from('a secret from before sealing, 32 b').toString('base64')}`;
    await storeSecret(accountA, legacy);
    const first = await longjob(keyA);
    assert.equal(first.hooks.length, 1);
    assert.doesNotThrow(() => verifies(legacy, first.hooks[0] as (typeof first.hooks)[0]));

    const set = await setWebhook(keyA);
    assert.equal(set.signing_secret, null, 'the secret is not shown again');
    const stored = String((await usersRow(accountA)).webhook_secret);
    assert.match(stored, /^v1:local:/);
    assert.ok(!stored.includes(legacy.slice('whsec_'.length)));
    const second = await longjob(keyA);
    assert.equal(second.hooks.length, 1);
    assert.doesNotThrow(
      () => verifies(legacy, second.hooks[0] as (typeof second.hooks)[0]),
      'same secret, sealed',
    );
  });
});
