import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { Webhook } from 'standardwebhooks';
import { getDocumentClient } from '../../src/adapters/dynamodb.ts';
import { getJob } from '../../src/adapters/jobs-table.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';
import { eventually, startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

// Chromium cannot start on this "worker": every delivery fails transiently, as a poison message would.
describe('long job whose every attempt fails', () => {
  let stack: TestStack;
  let receiver: WebhookReceiver;
  before(async () => {
    stack = await startTestStack({
      queueVisibilityTimeoutSeconds: 1,
      env: { PODPDF_CHROMIUM_PATH: '/nonexistent/chromium', PODPDF_WEBHOOK_RETRY_DELAYS_S: '1,1,1' },
    });
    receiver = await startWebhookReceiver();
  });
  after(async () => {
    await receiver.close();
    await stack.stop();
  });

  it('goes to the dead-letter queue, is marked failed and sends the failure webhook', async () => {
    const { signing_secret: secret } = (await (
      await stack.call('PUT', '/accounts/me/webhook', { body: { url: receiver.url } })
    ).json()) as { signing_secret: string };
    const res = await stack.call('POST', '/longjob', {
      body: { input_type: 'html', html: '<p>never renders</p>' },
    });
    assert.equal(res.status, 202);
    const jobId = ((await res.json()) as { job_id: string }).job_id;

    const [webhook] = await receiver.waitFor(1, 60_000);
    assert.ok(webhook);
    const payload = new Webhook(secret).verify(webhook.body, {
      'webhook-id': String(webhook.headers['webhook-id']),
      'webhook-timestamp': String(webhook.headers['webhook-timestamp']),
      'webhook-signature': String(webhook.headers['webhook-signature']),
    }) as { job_id: string; status: string; s3_url: unknown; error: { code: string; message: string } };
    assert.equal(payload.job_id, jobId);
    assert.equal(payload.status, 'failed');
    assert.equal(payload.s3_url, null);
    assert.equal(payload.error.code, 'PROCESSING_FAILED');

    const row = await eventually(async () => {
      const r = await getJob(jobId);
      return r?.webhook_delivered ? r : undefined;
    });
    assert.equal(row.status, 'failed');
    assert.equal(row.error_code, 'PROCESSING_FAILED');
    assert.equal(row.attempts, 3, 'one claim per delivery, maxReceiveCount of them');
    assert.equal(row.active_owner, undefined);
    const job = (await (await stack.call('GET', `/jobs/${jobId}`)).json()) as Record<string, unknown>;
    assert.equal(job.status, 'failed');
    assert.match(String(job.error_message), /every delivery attempt/);

    const events = await getDocumentClient().send(
      new QueryCommand({
        TableName: process.env.ANALYTICS_TABLE,
        KeyConditionExpression: 'job_id = :j',
        ExpressionAttributeValues: { ':j': jobId },
      }),
    );
    const types = (events.Items ?? []).map((e) => e.type).sort();
    assert.deepEqual(types, ['longjob_dead_lettered', 'webhook_attempt']);
  });
});
