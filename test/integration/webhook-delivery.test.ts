import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getJob } from '../../src/adapters/jobs-table.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';
import { twoTenantKeys } from '../helpers/tenants.ts';
import {
  eventually,
  type ReceiverAnswer,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../helpers/webhook-receiver.ts';

/**
 * The webhook queue and function through the local stack: retries that wait in the queue, a
 * receiver's Retry-After and 410, the per-URL circuit breaker and send rate, redelivery; two
 * accounts throughout. The schedule is shortened to whole seconds, SQS's unit.
 */
const BREAKER_FAILURES = 2;
const BREAKER_COOLDOWN_S = 3;

describe('webhook delivery through the webhook queue', () => {
  let stack: TestStack;
  let keyA: string;
  let keyB: string;
  const receivers: WebhookReceiver[] = [];

  before(async () => {
    [keyA, keyB] = twoTenantKeys();
    stack = await startTestStack({
      apiKeys: [keyA, keyB],
      env: {
        PODPDF_WEBHOOK_RETRY_DELAYS_S: '1,1,1',
        PODPDF_WEBHOOK_TIMEOUT_MS: '2000',
        PODPDF_WEBHOOK_BREAKER_FAILURES: String(BREAKER_FAILURES),
        PODPDF_WEBHOOK_BREAKER_COOLDOWN_S: String(BREAKER_COOLDOWN_S),
        PODPDF_WEBHOOK_RATE_PER_S: '1',
        PODPDF_WEBHOOK_RATE_BURST: '1',
      },
    });
    for (const key of [keyA, keyB]) {
      const res = await stack.call('POST', '/accounts/me/webhook/rotate-secret', { apiKey: key });
      assert.equal(res.status, 200);
    }
  });
  after(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await stack.stop();
  });

  const receiver = async (answer?: (n: number) => ReceiverAnswer) => {
    const started = await startWebhookReceiver(answer);
    receivers.push(started);
    return started;
  };
  const submit = async (apiKey: string, html: string, extra: Record<string, unknown> = {}) => {
    const res = await stack.call('POST', '/longjob', {
      apiKey,
      body: { input_type: 'html', html, ...extra },
    });
    assert.equal(res.status, 202, await res.clone().text());
    return String(((await res.json()) as { job_id: string }).job_id);
  };
  const settled = (jobId: string) =>
    eventually(
      async () => {
        const row = await getJob(jobId);
        return row?.webhook_delivered === undefined ? undefined : row;
      },
      60_000,
      `the webhook of ${jobId} to settle`,
    );
  const account = async (apiKey: string) =>
    (await (await stack.call('GET', '/accounts/me', { apiKey })).json()) as {
      webhook: { url: string | null; disabled: { url: string; job_id: string } | null };
    };

  it("waits as long as a 429's Retry-After asks, in the queue", async () => {
    const hook = await receiver((n) => (n === 1 ? { status: 429, headers: { 'retry-after': '3' } } : 200));
    const jobId = await submit(keyA, '<p>busy receiver</p>', { webhook_url: hook.url });
    const [first, second] = await hook.waitFor(2, 30_000);
    assert.ok(
      second && first && second.at - first.at >= 2_900,
      `waited ${(second?.at ?? 0) - (first?.at ?? 0)} ms`,
    );
    const row = await settled(jobId);
    assert.deepEqual(
      row.webhook_retry_log?.map((a) => a.status_code),
      [429, 200],
    );
  });

  it("sends to one URL no faster than the account's rate; another account's sends there have their own", async () => {
    const hook = await receiver();
    const [a1, a2, a3, b1] = await Promise.all([
      submit(keyA, '<p>rate 1</p>', { webhook_url: hook.url }),
      submit(keyA, '<p>rate 2</p>', { webhook_url: hook.url }),
      submit(keyA, '<p>rate 3</p>', { webhook_url: hook.url }),
      submit(keyB, '<p>rate 4</p>', { webhook_url: hook.url }),
    ]);
    await hook.waitFor(4, 30_000);
    const arrival = (jobId: string | undefined) =>
      hook.received.find((w) => (JSON.parse(w.body) as { job_id: string }).job_id === jobId)?.at ??
      Number.NaN;
    const times = [a1, a2, a3].map(arrival).sort((x, y) => x - y);
    // One a second, burst one: A's three sends span at least about two seconds.
    assert.ok(
      (times[2] ?? 0) - (times[0] ?? 0) >= 1_500,
      `sent at +${times.map((t) => t - (times[0] ?? 0)).join(', +')} ms`,
    );
    // B floods nothing and is held back by nothing A sends to the same URL.
    assert.ok(arrival(b1) < (times[2] ?? 0), "B's send did not wait behind A's");
    for (const jobId of [a1, a2, a3, b1] as string[]) {
      const row = await settled(jobId);
      assert.equal(row.webhook_delivered, true);
      assert.equal(row.webhook_retry_log?.length, 1, 'a send held back by the rate is not an attempt');
    }
  });

  it("opens the circuit after consecutive failures: the account's later deliveries wait, are not dropped, and go once a probe succeeds; another account's go at once", async () => {
    let down = true;
    const hook = await receiver(() => (down ? 500 : 200));
    const first = await submit(keyA, '<p>breaker 1</p>', { webhook_url: hook.url });
    await hook.waitFor(BREAKER_FAILURES, 30_000);
    const openedAt = Date.now();
    // A's next delivery to the same URL arrives while A's circuit is open: it waits without an attempt.
    // B's to the same URL is B's own: A's failures do not hold it back.
    const second = await submit(keyA, '<p>breaker 2</p>', { webhook_url: hook.url });
    const other = await submit(keyB, '<p>breaker 3</p>', { webhook_url: hook.url });
    down = false;
    const [rowA, rowA2, rowB] = [await settled(first), await settled(second), await settled(other)];
    assert.equal(rowA.webhook_delivered, true);
    assert.equal(rowA2.webhook_delivered, true);
    assert.deepEqual(
      rowA2.webhook_retry_log?.map((a) => a.status_code),
      [200],
      'the deferred delivery made one attempt, after the circuit closed',
    );
    const sentA2 = Date.parse(rowA2.webhook_retry_log?.[0]?.at ?? '');
    assert.ok(
      sentA2 - openedAt >= (BREAKER_COOLDOWN_S - 1) * 1000,
      `A's second went ${sentA2 - openedAt} ms after the circuit opened`,
    );
    assert.deepEqual(
      rowB.webhook_retry_log?.map((a) => a.status_code),
      [200],
    );
    const sentB = Date.parse(rowB.webhook_retry_log?.[0]?.at ?? '');
    assert.ok(sentB < sentA2, `B went at ${sentB - openedAt} ms, before A's circuit let A's second go`);
    assert.equal(
      hook.received.length,
      BREAKER_FAILURES + 3,
      "A's two failures, A's probe and other, B's one",
    );
  });

  it("410 Gone turns off that account's default webhook only; setting one again turns it on", async () => {
    const gone = await receiver(() => 410);
    for (const key of [keyA, keyB]) {
      const res = await stack.call('PUT', '/accounts/me/webhook', { apiKey: key, body: { url: gone.url } });
      assert.equal(res.status, 200);
    }
    const jobId = await submit(keyA, '<p>retired receiver</p>');
    const row = await settled(jobId);
    assert.equal(row.webhook_delivered, false);
    assert.equal(row.webhook_retry_log?.length, 1, 'no retry after 410');
    const a = await account(keyA);
    assert.equal(a.webhook.url, null);
    assert.deepEqual(a.webhook.disabled && [a.webhook.disabled.url, a.webhook.disabled.job_id], [
      gone.url,
      jobId,
    ]);
    assert.equal((await account(keyB)).webhook.url, gone.url, "B's default is B's business");
    const later = await getJob(await submit(keyA, '<p>after 410</p>'));
    assert.equal(later?.webhook_url, undefined, 'new jobs of A have no webhook');
    const fresh = await receiver();
    await stack.call('PUT', '/accounts/me/webhook', { apiKey: keyA, body: { url: fresh.url } });
    assert.equal((await account(keyA)).webhook.disabled, null);
    await stack.call('DELETE', '/accounts/me/webhook', { apiKey: keyB });
  });

  it('redelivers on request with the same webhook-id and a fresh timestamp; only for the owner', async () => {
    const hook = await receiver();
    const jobId = await submit(keyA, '<p>redeliver me</p>', { webhook_url: hook.url });
    await settled(jobId);
    const other = await stack.call('POST', `/jobs/${jobId}/webhook/redeliver`, { apiKey: keyB });
    assert.equal(other.status, 404);
    const res = await stack.call('POST', `/jobs/${jobId}/webhook/redeliver`, { apiKey: keyA });
    assert.equal(res.status, 202);
    assert.deepEqual(await res.json(), { job_id: jobId, webhook: { round: 2, status: 'queued' } });
    const [first, again] = await hook.waitFor(2, 30_000);
    assert.equal(again?.headers['webhook-id'], first?.headers['webhook-id']);
    assert.ok(Number(again?.headers['webhook-timestamp']) >= Number(first?.headers['webhook-timestamp']));
    const row = await settled(jobId);
    assert.deepEqual(
      row.webhook_retry_log?.map((a) => [a.attempt, a.round]),
      [
        [1, undefined],
        [1, 2],
      ],
    );
    const view = (await (await stack.call('GET', `/jobs/${jobId}`, { apiKey: keyA })).json()) as Record<
      string,
      unknown
    >;
    assert.equal(view.webhook_delivered, true);

    // B has no default webhook since the test above.
    const without = await submit(keyB, '<p>no webhook</p>');
    await eventually(async () => ((await getJob(without))?.status === 'completed' ? true : undefined));
    const refused = await stack.call('POST', `/jobs/${without}/webhook/redeliver`, { apiKey: keyB });
    assert.equal(refused.status, 409);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'NO_WEBHOOK');
  });
});
