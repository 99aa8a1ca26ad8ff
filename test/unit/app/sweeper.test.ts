import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { JobRecord } from '../../../src/domain/job.ts';
import type { WebhookMessage } from '../../../src/domain/webhook.ts';
import { fakeClock, fakeJobs, fakeUsage, fakeWebhookQueue, fakeWebhookRows, queuedRow } from './fakes.ts';

const { usePorts } = await import('../../../src/app/ports.ts');
const { useRenderer } = await import('../../../src/app/render-port.ts');
const { processLongjobMessage } = await import('../../../src/app/longjob-process.ts');
const { deliverWebhookMessage } = await import('../../../src/app/webhook-delivery.ts');
const { sweepJobs, REQUEUE_INTERVAL_MS, MESSAGE_RETENTION_MS } = await import('../../../src/app/sweeper.ts');
const { longjobMessageBody } = await import('../../../src/domain/longjob-message.ts');

const MINUTE = 60_000;
const START = Date.parse('2030-01-01T00:00:00Z');
const WEBHOOK = 'https://hooks.example/podpdf';
const secret = `whsec_${Buffer.from('a signing secret, 24 b.').toString('base64')}`;

/**
 * In-memory ports for a sweep: the fake job table, with the sweep's index scan and requeue mark over
 * the same rows; a queue that records sends and reports `depth`; webhooks and Analytics recorded.
 */
const setUp = (rows: Array<[string, Partial<JobRecord>]>) => {
  const store = fakeJobs();
  const { clock } = fakeClock(START);
  const usage = fakeUsage();
  const sent: string[] = [];
  const webhooks: Array<Record<string, unknown>> = [];
  const events: Array<{ type: string; job_id: string; details?: Record<string, unknown> }> = [];
  const queue = { depth: 0, failSends: 0 };
  const webhookQueue = fakeWebhookQueue();
  for (const [id, fields] of rows) {
    const row = queuedRow(id, { created_at: new Date(START - 10 * MINUTE).toISOString(), ...fields });
    store.rows.set(id, { ...row, active_owner: row.owner });
    usage.active.set(row.owner, (usage.active.get(row.owner) ?? 0) + 1);
  }
  const restore = usePorts({
    jobs: { ...store.jobs, ...fakeWebhookRows(store.rows) },
    sweep: {
      scanActiveJobs: async (before) =>
        [...store.rows.values()]
          .filter((r) => ['queued', 'processing'].includes(r.status) && r.created_at < before)
          .map((r) => ({ job_id: r.job_id, owner: r.owner, created_at: r.created_at })),
      markRequeued: async (jobId, now, notSince) => {
        const row = store.rows.get(jobId);
        const qualifies =
          row?.status === 'queued' &&
          row.attempts === undefined &&
          row.input_key !== undefined &&
          (row.requeued_at === undefined || row.requeued_at < notSince);
        if (!row || !qualifies) return undefined;
        row.requeued_at = new Date(now).toISOString();
        return { ...row };
      },
      unmarkRequeued: async (jobId, markedAt) => {
        const row = store.rows.get(jobId);
        if (!row || row.requeued_at !== markedAt) return undefined;
        delete row.requeued_at;
        return { ...row };
      },
    },
    queue: {
      enqueueLongjob: async (body) => {
        if (queue.failSends > 0) {
          queue.failSends -= 1;
          throw new Error('SQS unavailable');
        }
        sent.push(body);
      },
      queueDepth: async () => queue.depth,
      ...webhookQueue.queue,
    },
    accounts: {
      getAccount: async (userId) => ({
        user_id: userId,
        api_key_hash: 'h',
        name: userId,
        created_at: '',
        webhook_secret: secret,
      }),
    },
    usage: usage.usage,
    analytics: {
      recordEvent: async (event) => {
        events.push(event as (typeof events)[number]);
      },
    },
    webhooks: {
      ...webhookQueue.gate,
      postWebhook: async (_url, body) => {
        webhooks.push(JSON.parse(body) as Record<string, unknown>);
        return { statusCode: 200, durationMs: 1 };
      },
    },
    clock,
  });
  const advance = (ms: number) => clock.sleep(ms);
  /** The webhook function: one receive of every handed-off webhook. */
  const deliver = async () => {
    for (const body of webhookQueue.queued.splice(0))
      await deliverWebhookMessage(JSON.parse(body) as WebhookMessage, { queuedAt: clock.now(), receives: 1 });
  };
  return { ...store, sent, webhooks, events, queue, active: usage.active, restore, advance, clock, deliver };
};

let now = () => START;
/** A sweep with all the time it needs. */
const sweep = () => sweepJobs(now() + 10 * MINUTE);

const restores: Array<() => void> = [];
afterEach(() => {
  for (const restore of restores.splice(0)) restore();
});
const start = (rows: Array<[string, Partial<JobRecord>]>) => {
  const env = setUp(rows);
  restores.push(env.restore);
  now = env.clock.now;
  return env;
};

describe('sweepJobs: a queued job whose message never went out', () => {
  it('sends the message its submission would have sent, once, for a job whose HTML is in S3', async () => {
    const env = start([['job-s3', { input_key: 'inputs/job-s3.html' }]]);
    const report = await sweep();
    assert.deepEqual(report.requeued, ['job-s3']);
    const expected = longjobMessageBody({ job_id: 'job-s3', owner: 'acct-a' }, { html: 'x'.repeat(300_000) });
    assert.equal(expected.htmlInline, false);
    assert.deepEqual(env.sent, [expected.body]);
    assert.equal(env.rows.get('job-s3')?.status, 'queued');
    // The next sweeps leave it to the message just sent, until the requeue interval has passed.
    await env.advance(5 * MINUTE);
    assert.deepEqual((await sweep()).requeued, []);
    await env.advance(REQUEUE_INTERVAL_MS);
    assert.deepEqual((await sweep()).requeued, ['job-s3']);
    assert.equal(env.sent.length, 2);
  });

  it('leaves a job younger than the grace period, and one a worker has claimed before', async () => {
    const env = start([
      ['young', { input_key: 'inputs/young.html', created_at: new Date(START - MINUTE).toISOString() }],
      ['released', { input_key: 'inputs/released.html', attempts: 1 }],
    ]);
    const report = await sweep();
    assert.deepEqual(report, { candidates: 1, requeued: [], failed: [], errors: 0, unfinished: false });
    assert.deepEqual(env.sent, []);
  });

  it('takes the mark back when the send fails, so the next sweep sends at once', async () => {
    const env = start([['job-s3', { input_key: 'inputs/job-s3.html' }]]);
    env.queue.failSends = 1;
    const first = await sweep();
    assert.equal(first.errors, 1);
    assert.deepEqual(first.requeued, []);
    assert.equal(env.rows.get('job-s3')?.requeued_at, undefined);
    assert.deepEqual((await sweep()).requeued, ['job-s3']);
    assert.equal(env.sent.length, 1);
  });

  it('sends nothing when a worker claims the job between the read and the mark', async () => {
    const env = start([['job-s3', { input_key: 'inputs/job-s3.html' }]]);
    const read = env.jobs.getJob;
    usePorts({
      jobs: {
        getJob: async (jobId) => {
          const row = await read?.(jobId);
          await env.jobs.claimJob?.(jobId, 'worker', env.clock.now(), 15 * MINUTE);
          return row;
        },
      },
    });
    const report = await sweep();
    assert.deepEqual(report.requeued, []);
    assert.deepEqual(env.sent, []);
    assert.equal(env.rows.get('job-s3')?.status, 'processing');
    assert.equal(env.rows.get('job-s3')?.lease_token, 'worker');
  });

  it('renders once when the requeued message and the original both arrive', async () => {
    const env = start([['job-s3', { input_key: 'inputs/job-s3.html' }]]);
    let renders = 0;
    restores.push(
      useRenderer(async () => {
        renders += 1;
        return {
          file: { byteLength: 5, bytes: new Uint8Array(5), base64: 'AAAAAAA=' } as never,
          pages: 1,
          truncated: false,
        };
      }),
    );
    restores.push(
      usePorts({
        blobs: {
          getInput: async () => '<p>stored</p>',
          putPdf: async (jobId) => `pdfs/${jobId}.pdf`,
          presignPdf: async () => ({ url: 'https://s3.example/x', expiresAt: '2030-01-01T01:00:00Z' }),
        },
      }),
    );
    await sweep();
    const message = JSON.parse(env.sent[0] ?? '{}');
    const deadline = START + 15 * MINUTE;
    await Promise.all([
      processLongjobMessage(message, deadline),
      processLongjobMessage({ job_id: 'job-s3', owner: 'acct-a' }, deadline),
    ]);
    // Whichever came second found the job claimed or done; a later delivery finds it done.
    assert.equal(await processLongjobMessage(message, deadline), 'done');
    assert.equal(renders, 1);
    assert.equal(env.rows.get('job-s3')?.status, 'completed');
  });

  it('fails a job whose input only its message carried, once the queue holds no message', async () => {
    const env = start([['inline', { webhook_url: WEBHOOK }]]);
    env.queue.depth = 3;
    assert.deepEqual((await sweep()).failed, [], 'messages in the queue: it may be one of them');
    assert.equal(env.rows.get('inline')?.status, 'queued');
    env.queue.depth = 0;
    assert.deepEqual((await sweep()).failed, [{ job_id: 'inline', code: 'SUBMISSION_LOST' }]);
    const row = env.rows.get('inline');
    assert.equal(row?.status, 'failed');
    assert.equal(row?.error_code, 'SUBMISSION_LOST');
    assert.equal(env.active.get('acct-a'), 0, 'its active job is released');
    await env.deliver();
    assert.equal(env.webhooks.length, 1);
    assert.deepEqual((env.webhooks[0]?.error as { code?: string } | undefined)?.code, 'SUBMISSION_LOST');
    assert.deepEqual(
      env.events.map((e) => [e.type, e.details?.rule]),
      [
        ['longjob_swept', 'submission_lost'],
        ['webhook_attempt', undefined],
      ],
    );
    assert.deepEqual(env.sent, []);
  });

  it('fails nothing on a queue whose depth cannot be read', async () => {
    const env = start([['inline', {}]]);
    restores.push(
      usePorts({
        queue: {
          queueDepth: async () => {
            throw new Error('SQS unavailable');
          },
        },
      }),
    );
    const report = await sweep();
    assert.deepEqual(report.failed, []);
    assert.equal(report.errors, 0);
    assert.equal(env.rows.get('inline')?.status, 'queued');
  });

  it('fails such a job past the queue retention even with messages in the queue', async () => {
    const env = start([['inline', { created_at: new Date(START - MESSAGE_RETENTION_MS).toISOString() }]]);
    env.queue.depth = 100;
    assert.deepEqual((await sweep()).failed, [{ job_id: 'inline', code: 'SUBMISSION_LOST' }]);
  });

  it('does not fail a job its late message claimed between the read and the write', async () => {
    const env = start([['inline', {}]]);
    const read = env.jobs.getJob;
    usePorts({
      jobs: {
        getJob: async (jobId) => {
          const row = await read?.(jobId);
          // The claim's lease runs out at once: only the attempts count still tells it was claimed.
          await env.jobs.claimJob?.(jobId, 'worker', env.clock.now(), 0);
          await env.jobs.releaseClaim?.(jobId, 'worker');
          return row;
        },
      },
    });
    const report = await sweep();
    assert.deepEqual(report.failed, []);
    assert.equal(env.rows.get('inline')?.status, 'queued');
    assert.equal(env.active.get('acct-a'), 1);
    await env.deliver();
    assert.deepEqual(env.webhooks, []);
  });
});

describe('sweepJobs: a processing job whose lease ran out', () => {
  const lapsed = (attempts: number, agoMs: number): Partial<JobRecord> => ({
    status: 'processing',
    attempts,
    lease_token: 'dead-worker',
    lease_expires_at: START - agoMs,
    webhook_url: WEBHOOK,
    created_at: new Date(START - agoMs - 15 * MINUTE).toISOString(),
  });

  it('fails a job claimed too often with PROCESSING_STALLED, releases it and tells its webhook', async () => {
    const env = start([['stalled', lapsed(3, 20 * MINUTE)]]);
    env.queue.depth = 5;
    assert.deepEqual((await sweep()).failed, [{ job_id: 'stalled', code: 'PROCESSING_STALLED' }]);
    const row = env.rows.get('stalled');
    assert.equal(row?.status, 'failed');
    assert.equal(row?.lease_token, undefined);
    assert.equal(env.active.get('acct-a'), 0);
    await env.deliver();
    assert.equal(env.webhooks.length, 1);
    assert.equal(env.webhooks[0]?.status, 'failed');
    assert.deepEqual(env.events[0]?.details, { rule: 'stalled', attempts: 3 });
    // Settled once: the next sweep no longer sees it.
    assert.equal((await sweep()).candidates, 0);
    await env.deliver();
    assert.equal(env.webhooks.length, 1);
  });

  it('leaves a live claim, and a lease over for less than the stale period, however many attempts', async () => {
    const env = start([
      ['live', { ...lapsed(5, 0), lease_expires_at: START + 10 * MINUTE }],
      ['recent', lapsed(5, 5 * MINUTE)],
    ]);
    const report = await sweep();
    assert.deepEqual(report.failed, []);
    assert.equal(env.rows.get('live')?.status, 'processing');
    assert.equal(env.rows.get('recent')?.status, 'processing');
    assert.equal(env.active.get('acct-a'), 2);
  });

  it('gives a job with attempts left to its message, unless the queue holds none', async () => {
    const env = start([['retrying', lapsed(1, 20 * MINUTE)]]);
    env.queue.depth = 1;
    assert.deepEqual((await sweep()).failed, []);
    env.queue.depth = 0;
    assert.deepEqual((await sweep()).failed, [{ job_id: 'retrying', code: 'PROCESSING_STALLED' }]);
    assert.deepEqual(env.events[0]?.details, { rule: 'message_gone', attempts: 1 });
  });

  it('does not overwrite a worker that re-claims the job between the read and the write', async () => {
    const env = start([['stalled', lapsed(3, 20 * MINUTE)]]);
    const read = env.jobs.getJob;
    usePorts({
      jobs: {
        getJob: async (jobId) => {
          const row = await read?.(jobId);
          await env.jobs.claimJob?.(jobId, 'new-worker', env.clock.now(), 15 * MINUTE);
          return row;
        },
      },
    });
    assert.deepEqual((await sweep()).failed, []);
    const row = env.rows.get('stalled');
    assert.equal(row?.status, 'processing');
    assert.equal(row?.lease_token, 'new-worker');
    assert.equal(env.active.get('acct-a'), 1);
    await env.deliver();
    assert.deepEqual(env.webhooks, []);
  });
});

describe('sweepJobs: across accounts and over time', () => {
  it("settles account A's stuck job without touching account B's jobs or count", async () => {
    const env = start([
      [
        'a-stuck',
        { owner: 'acct-a', status: 'processing', attempts: 3, lease_expires_at: START - 30 * MINUTE },
      ],
      ['b-live', { owner: 'acct-b', status: 'processing', attempts: 3, lease_expires_at: START + MINUTE }],
      [
        'b-queued',
        { owner: 'acct-b', input_key: 'inputs/b-queued.html', created_at: new Date(START).toISOString() },
      ],
    ]);
    const report = await sweep();
    assert.deepEqual(report.failed, [{ job_id: 'a-stuck', code: 'PROCESSING_STALLED' }]);
    assert.deepEqual(report.requeued, []);
    assert.equal(env.active.get('acct-a'), 0);
    assert.equal(env.active.get('acct-b'), 2);
    assert.equal(env.rows.get('b-live')?.status, 'processing');
    assert.equal(env.rows.get('b-queued')?.status, 'queued');
    assert.equal(env.rows.get('b-queued')?.requeued_at, undefined);
  });

  it('starts no job it could not finish before the invocation ends', async () => {
    const env = start([
      ['stalled', { status: 'processing', attempts: 3, lease_expires_at: START - 30 * MINUTE }],
    ]);
    const report = await sweepJobs(env.clock.now() + 1_000);
    assert.equal(report.unfinished, true);
    assert.equal(env.rows.get('stalled')?.status, 'processing');
  });

  it('counts a job whose write throws and goes on with the others', async () => {
    const env = start([
      ['broken', { input_key: 'inputs/broken.html' }],
      ['fine', { input_key: 'inputs/fine.html' }],
    ]);
    const read = env.jobs.getJob;
    usePorts({
      jobs: {
        getJob: async (jobId) => {
          if (jobId === 'broken') throw new Error('DynamoDB unavailable');
          return read?.(jobId);
        },
      },
    });
    const report = await sweep();
    assert.equal(report.errors, 1);
    assert.deepEqual(report.requeued, ['fine']);
  });
});
