import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { WebhookResponse } from '../../../src/adapters/webhook-sender.ts';
import type { JobRecord } from '../../../src/domain/job.ts';
import { fakeClock, fakeWebhookQueue, fakeWebhookRows, queuedRow } from './fakes.ts';

const { usePorts } = await import('../../../src/app/ports.ts');
const { deliverWebhookMessage } = await import('../../../src/app/webhook-delivery.ts');
const { redeliverWebhook } = await import('../../../src/app/webhook-handoff.ts');
const { PodpdfError } = await import('../../../src/domain/errors.ts');

const DEFAULT_URL = 'https://hooks.example/default';
const JOB_URL = 'https://hooks.example/for-this-job';
const account = {
  user_id: 'acct-a',
  api_key_hash: 'h',
  name: 'A',
  created_at: '',
  webhook_url: DEFAULT_URL,
  webhook_secret: `whsec_${Buffer.from('a signing secret, 24 b.').toString('base64')}`,
};

/**
 * One finished job (`job-0`) whose webhook a scripted receiver answers; the clock moves only when
 * a test moves it, so the schedule is read off the steps, never waited for.
 */
const setUp = (
  fields: Partial<JobRecord>,
  answer: () => WebhookResponse = () => ({ statusCode: 200, durationMs: 1 }),
) => {
  const rows = new Map<string, JobRecord>([
    ['job-0', queuedRow('job-0', { status: 'completed', webhook_url: DEFAULT_URL, ...fields })],
  ]);
  const time = fakeClock(Date.parse('2026-12-07T10:00:00Z'));
  const queue = fakeWebhookQueue();
  const posts: Array<{ url: string; headers: Record<string, string>; at: number }> = [];
  const disabled: string[] = [];
  const gate = { ...queue.gate };
  const restore = usePorts({
    jobs: { getJob: async (id) => rows.get(id), ...fakeWebhookRows(rows) },
    accounts: {
      getAccount: async () => account,
      disableWebhook: async (_owner, record) => {
        disabled.push(record.url);
        return true;
      },
    },
    analytics: { recordEvent: async () => undefined },
    queue: queue.queue,
    clock: time.clock,
    webhooks: {
      admitSend: (url, limits) => gate.admitSend?.(url, limits) as never,
      recordSendOutcome: async () => undefined,
      postWebhook: async (url, _body, headers) => {
        posts.push({ url, headers, at: time.clock.now() });
        return answer();
      },
    },
  });
  const row = () => rows.get('job-0') as JobRecord;
  const receive = (round = 1, queuedAt = time.clock.now(), receives = 1) =>
    deliverWebhookMessage({ job_id: 'job-0', round }, { queuedAt, receives });
  return { rows, row, time, queue, posts, disabled, gate, receive, restore };
};

describe('webhook delivery: the schedule', () => {
  const restores: Array<() => void> = [];
  afterEach(() => {
    for (const restore of restores.splice(0)) restore();
  });

  it('retries a failing receiver after about 5 s, 1 min, 10 min and 1 h, then records it undelivered', async () => {
    const env = setUp({}, () => ({ statusCode: 500, durationMs: 1 }));
    restores.push(env.restore);
    const delays: number[] = [];
    for (;;) {
      const step = await env.receive();
      if (step.done) break;
      delays.push(step.retryInS);
      await env.time.clock.sleep(step.retryInS * 1000);
    }
    assert.equal(env.posts.length, 5, 'the first attempt and four retries');
    for (const [i, base] of [5, 60, 600, 3600].entries()) {
      const delay = delays[i] ?? -1;
      assert.ok(delay >= base * 0.8 && delay <= base * 1.2, `retry ${i + 1}: ${delay} s`);
    }
    assert.deepEqual(
      env.time.slept,
      delays.map((s) => s * 1000),
      'the only waiting is between receives',
    );
    assert.equal(env.row().webhook_delivered, false);
    assert.equal(env.row().webhook_retry_count, 4);
    assert.deepEqual(
      env.row().webhook_retry_log?.map((a) => a.attempt),
      [1, 2, 3, 4, 5],
    );
    assert.equal(new Set(env.posts.map((p) => p.headers['webhook-id'])).size, 1, 'one webhook-id throughout');
  });

  it("waits as long as a 429 or 503 asks (Retry-After), never less than the schedule's step", async () => {
    const answers: WebhookResponse[] = [
      { statusCode: 429, retryAfter: '120', durationMs: 1 },
      { statusCode: 503, retryAfter: '1', durationMs: 1 },
      { statusCode: 500, retryAfter: '9999', durationMs: 1 },
      { statusCode: 204, durationMs: 1 },
    ];
    const env = setUp({}, () => answers.shift() as WebhookResponse);
    restores.push(env.restore);
    const first = await env.receive();
    assert.deepEqual(first, { done: false, retryInS: 120 });
    await env.time.clock.sleep(120_000);
    const second = await env.receive();
    assert.ok(!second.done && second.retryInS >= 48 && second.retryInS <= 72, JSON.stringify(second));
    await env.time.clock.sleep(second.retryInS * 1000);
    const third = await env.receive();
    assert.ok(!third.done && third.retryInS <= 720, 'a 500 does not ask for a delay');
    await env.time.clock.sleep(third.retryInS * 1000);
    assert.deepEqual(await env.receive(), { done: true });
    assert.equal(env.row().webhook_delivered, true);
    assert.equal(env.row().webhook_retry_count, 3);
  });

  it("410 Gone ends the delivery and turns the account's default webhook off", async () => {
    const env = setUp({}, () => ({ statusCode: 410, durationMs: 1 }));
    restores.push(env.restore);
    assert.deepEqual(await env.receive(), { done: true });
    assert.equal(env.row().webhook_delivered, false);
    assert.deepEqual(env.disabled, [DEFAULT_URL]);
  });

  it("410 Gone from a job's own webhook_url ends its delivery but leaves the default alone", async () => {
    const env = setUp({ webhook_url: JOB_URL }, () => ({ statusCode: 410, durationMs: 1 }));
    restores.push(env.restore);
    assert.deepEqual(await env.receive(), { done: true });
    assert.deepEqual(env.disabled, []);
  });
});

describe('webhook delivery: deferrals and duplicates', () => {
  const restores: Array<() => void> = [];
  afterEach(() => {
    for (const restore of restores.splice(0)) restore();
  });

  it('an open circuit defers the delivery without an attempt, and the claim is free for the next receive', async () => {
    const env = setUp({});
    restores.push(env.restore);
    env.gate.admitSend = async () => ({ admitted: false, reason: 'circuit', waitMs: 30_000 });
    assert.deepEqual(await env.receive(), { done: false, retryInS: 30 });
    assert.equal(env.posts.length, 0);
    assert.equal(env.row().webhook_retry_log, undefined, 'a deferral is not an attempt');
    assert.equal(env.row().webhook_lease_expires_at, undefined);
    env.gate.admitSend = async () => ({ admitted: true, probe: true, failures: 5 });
    assert.deepEqual(await env.receive(), { done: true });
    assert.equal(env.row().webhook_delivered, true);
  });

  it("spreads deliveries held back by a URL's rate, further the more often they were held back", async () => {
    const env = setUp({});
    restores.push(env.restore);
    env.gate.admitSend = async () => ({ admitted: false, reason: 'rate', waitMs: 100 });
    const first = await env.receive(1, env.time.clock.now(), 1);
    assert.ok(!first.done && first.retryInS >= 1 && first.retryInS <= 2, JSON.stringify(first));
    const later = await env.receive(1, env.time.clock.now(), 40);
    assert.ok(!later.done && later.retryInS >= 20 && later.retryInS <= 60, JSON.stringify(later));
    const capped = await env.receive(1, env.time.clock.now(), 95);
    assert.ok(!capped.done && capped.retryInS >= 30 && capped.retryInS <= 90, JSON.stringify(capped));
    assert.equal(env.posts.length, 0);
  });

  it('a delivery still deferred a day after it was queued ends undelivered', async () => {
    const env = setUp({});
    restores.push(env.restore);
    env.gate.admitSend = async () => ({ admitted: false, reason: 'circuit', waitMs: 3_600_000 });
    const queuedAt = env.time.clock.now() - 86_400_000;
    assert.deepEqual(await env.receive(1, queuedAt), { done: true });
    assert.equal(env.row().webhook_delivered, false);
    assert.equal(env.posts.length, 0);
  });

  it('holds back a message that comes before the retry is due, and drops one of an older round', async () => {
    const env = setUp({}, () => ({ statusCode: 500, durationMs: 1 }));
    restores.push(env.restore);
    const first = await env.receive();
    assert.ok(!first.done);
    // The same message received again (or a duplicate): it waits for the retry, it does not send.
    const again = await env.receive();
    assert.ok(
      !again.done && again.retryInS >= first.retryInS - 1 && again.retryInS <= first.retryInS,
      JSON.stringify(again),
    );
    assert.equal(env.posts.length, 1);
    env.row().webhook_round = 2;
    await env.time.clock.sleep(3_600_000);
    assert.deepEqual(await env.receive(1), { done: true }, 'round 1 is over');
    assert.equal(env.posts.length, 1);
  });

  it('holds back a message received while its attempt is in flight until the claim ends', async () => {
    const env = setUp({});
    restores.push(env.restore);
    env.row().webhook_lease_expires_at = env.time.clock.now() + 40_000;
    assert.deepEqual(await env.receive(), { done: false, retryInS: 40 });
    assert.equal(env.posts.length, 0);
  });

  it('drops a message once the round has its outcome', async () => {
    const env = setUp({ webhook_delivered: true });
    restores.push(env.restore);
    assert.deepEqual(await env.receive(), { done: true });
    assert.equal(env.posts.length, 0);
  });
});

describe('webhook redelivery', () => {
  const restores: Array<() => void> = [];
  afterEach(() => {
    for (const restore of restores.splice(0)) restore();
  });

  it('starts a new round at once, with the same webhook-id, keeping the earlier attempts', async () => {
    const env = setUp({});
    restores.push(env.restore);
    await env.receive();
    assert.equal(env.row().webhook_delivered, true);
    await env.time.clock.sleep(5_000);
    assert.deepEqual(await redeliverWebhook(env.row()), { round: 2 });
    assert.deepEqual(
      env.queue.queued.map((body) => JSON.parse(body)),
      [{ job_id: 'job-0', round: 2 }],
    );
    assert.equal(env.row().webhook_delivered, undefined);
    assert.deepEqual(await env.receive(2), { done: true });
    assert.deepEqual(
      env.row().webhook_retry_log?.map((a) => [a.attempt, a.round]),
      [
        [1, undefined],
        [1, 2],
      ],
    );
    const [before, after] = env.posts;
    assert.equal(before?.headers['webhook-id'], after?.headers['webhook-id']);
    assert.notEqual(before?.headers['webhook-timestamp'], after?.headers['webhook-timestamp']);
  });

  it('refuses while an attempt is in flight, before the job is finished, and without a webhook', async () => {
    const codeOf = async (job: JobRecord) =>
      redeliverWebhook(job).then(
        () => 'none',
        (err: unknown) => (err instanceof PodpdfError ? `${err.status} ${err.code}` : String(err)),
      );
    const env = setUp({});
    restores.push(env.restore);
    const now = env.time.clock.now();
    assert.equal(
      await codeOf({ ...env.row(), webhook_lease_expires_at: now + 10_000 }),
      '409 WEBHOOK_IN_FLIGHT',
    );
    assert.equal(await codeOf({ ...env.row(), status: 'processing' }), '409 JOB_NOT_READY');
    assert.equal(await codeOf({ ...env.row(), webhook_url: undefined }), '409 NO_WEBHOOK');
    assert.equal(env.queue.queued.length, 0);
  });

  it('answers 503 ENQUEUE_FAILED when the queue refuses, and a second ask succeeds', async () => {
    const env = setUp({ webhook_delivered: false });
    restores.push(env.restore);
    let refuse = true;
    restores.push(
      usePorts({
        queue: {
          enqueueWebhook: async (body) => {
            if (refuse) throw new Error('queue unavailable');
            env.queue.queued.push(body);
          },
        },
      }),
    );
    await assert.rejects(
      redeliverWebhook(env.row()),
      (err: unknown) => err instanceof PodpdfError && err.status === 503,
    );
    refuse = false;
    assert.deepEqual(await redeliverWebhook(env.row()), { round: 3 });
    assert.equal(env.queue.queued.length, 1);
  });
});
