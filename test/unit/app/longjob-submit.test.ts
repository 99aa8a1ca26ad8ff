import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { fakeJobs, fakeUsage } from './fakes.ts';

const { usePorts } = await import('../../../src/app/ports.ts');
const { submitLongjob } = await import('../../../src/app/longjob-submit.ts');
const { longjobRequestSchema } = await import('../../../src/domain/render-request.ts');
const { useHostResolver } = await import('../../../src/net/address-policy.ts');

const caller = { user_id: 'acct-a' };
const request = longjobRequestSchema.parse({ input_type: 'html', html: '<p>x</p>' });
/** The account's default webhook applies (a per-job URL would be resolved in DNS). */
const account = {
  user_id: 'acct-a',
  api_key_hash: 'h',
  name: 'A',
  created_at: '',
  webhook_url: 'https://hooks.example/podpdf',
  webhook_secret: 'whsec_x',
};

/** Ports for a submission: an in-memory job table, an account with a signing secret, idempotency kept. */
const setUp = (enqueueLongjob: (body: string) => Promise<void>) => {
  const { rows, jobs } = fakeJobs();
  const meter = fakeUsage();
  const keys = new Map<string, unknown>();
  const sent: string[] = [];
  const restore = usePorts({
    jobs: { ...jobs, countActiveJobs: async () => 0 },
    usage: meter.usage,
    accounts: { getAccount: async () => account },
    idempotency: {
      putIdempotencyRecord: async (record) => {
        const existing = keys.get(record.idempotency_key);
        if (existing) return existing as typeof record;
        keys.set(record.idempotency_key, record);
        return undefined;
      },
      deleteIdempotencyRecord: async (key) => {
        keys.delete(key);
      },
    },
    blobs: {
      putInput: async (jobId) => `inputs/${jobId}.html`,
      putSourceInput: async (jobId) => `inputs/${jobId}.source.json`,
      deleteObject: async () => undefined,
    },
    queue: {
      enqueueLongjob: async (body) => {
        sent.push(body);
        await enqueueLongjob(body);
      },
      queueDepth: async () => 0,
    },
  });
  return { rows, keys, sent, restore, meter };
};

describe('submitLongjob when SQS does not confirm the message', () => {
  let restore: () => void = () => undefined;
  afterEach(() => restore());

  it('sends once more, and accepts the job when the second send is confirmed', async () => {
    let calls = 0;
    const env = setUp(async () => {
      calls += 1;
      if (calls === 1) throw new Error('SendMessage timed out');
    });
    restore = env.restore;
    const job = await submitLongjob(caller, request, undefined, '2026-12');
    assert.equal(job.status, 'queued');
    assert.equal(env.sent.length, 2, 'the same message sent twice: the processor claims the job once');
    assert.equal(env.rows.get(job.job_id)?.status, 'queued');
  });

  it('answers 503 ENQUEUE_FAILED, fails the job without its webhook and frees the Idempotency-Key', async () => {
    const env = setUp(async () => {
      throw new Error('SendMessage timed out');
    });
    restore = env.restore;
    await assert.rejects(
      submitLongjob(caller, request, 'key-1', '2026-12'),
      (err: { code?: string; status?: number }) => {
        assert.equal(err.code, 'ENQUEUE_FAILED');
        assert.equal(err.status, 503);
        return true;
      },
    );
    const [row] = [...env.rows.values()];
    assert.equal(row?.status, 'failed');
    assert.equal(row?.error_code, 'ENQUEUE_FAILED');
    assert.equal(row?.webhook_url, undefined, 'a job the client was told was not accepted announces nothing');
    assert.equal(env.keys.size, 0, 'a retry with the same key is a new submission');
    assert.equal(env.meter.active.get('acct-a'), 0, 'its place among the active jobs is free again');
    assert.deepEqual(env.meter.refunds, ['2026-12'], 'and its PDF is not counted');
  });

  it('accepts the job when a processor already holds it: an unconfirmed send did arrive', async () => {
    const env = setUp(async (body) => {
      // The message arrives and a processor claims the job before the send's answer is lost.
      const { job_id } = JSON.parse(body) as { job_id: string };
      const row = env.rows.get(job_id);
      if (row)
        Object.assign(row, { status: 'processing', lease_token: 't', lease_expires_at: Date.now() + 60_000 });
      throw new Error('SendMessage timed out');
    });
    restore = env.restore;
    const job = await submitLongjob(caller, request, 'key-2', '2026-12');
    assert.equal(job.status, 'queued');
    const row = env.rows.get(job.job_id);
    assert.equal(row?.status, 'processing', 'the job goes on');
    assert.equal(row?.webhook_url, 'https://hooks.example/podpdf');
    assert.equal(env.keys.size, 1, 'the key stays with the accepted job');
    assert.equal(env.meter.active.get('acct-a'), 1, 'the processor releases it when it finishes');
    assert.deepEqual(env.meter.refunds, []);
  });

  it('refuses past the active-job cap with 403 TOO_MANY_ACTIVE_JOBS, and gives back the PDF', async () => {
    const env = setUp(async () => undefined);
    restore = env.restore;
    env.meter.active.set('acct-a', Number.POSITIVE_INFINITY);
    await assert.rejects(submitLongjob(caller, request, undefined, '2026-12'), {
      code: 'TOO_MANY_ACTIVE_JOBS',
      status: 403,
    });
    assert.equal(env.rows.size, 0);
    assert.deepEqual(env.meter.refunds, ['2026-12']);
  });
});

describe('submitLongjob with dedupe', () => {
  let restore: () => void = () => undefined;
  afterEach(() => restore());
  const deduped = longjobRequestSchema.parse({ input_type: 'html', html: '<p>same</p>', dedupe: true });

  it('answers an identical document with the earlier job while it may still complete, else makes a new one', async () => {
    const env = setUp(async () => undefined);
    // The per-job webhook below is checked in DNS: a public answer, and nothing is connected to.
    useHostResolver(async () => [{ address: '93.184.216.34', family: 4 }]);
    restore = () => {
      env.restore();
      useHostResolver(undefined);
    };
    const first = await submitLongjob(caller, deduped, undefined, '2026-12');
    assert.equal(first.replayed, false);
    // Another webhook does not make it another document.
    const again = await submitLongjob(
      caller,
      longjobRequestSchema.parse({
        input_type: 'html',
        html: '<p>same</p>',
        dedupe: true,
        webhook_url: 'https://other.example/x',
      }),
      undefined,
      '2026-12',
    );
    assert.equal(again.job_id, first.job_id);
    assert.equal(again.deduped_from, first.job_id);
    assert.deepEqual(env.meter.refunds, ['2026-12'], 'the answer counts no second PDF');
    // Other options are another document.
    const other = await submitLongjob(
      caller,
      longjobRequestSchema.parse({
        input_type: 'html',
        html: '<p>same</p>',
        dedupe: true,
        options: { landscape: true },
      }),
      undefined,
      '2026-12',
    );
    assert.notEqual(other.job_id, first.job_id);
    // Once the first has failed, the same document gets a new job.
    const row = env.rows.get(first.job_id);
    if (row) row.status = 'failed';
    const retried = await submitLongjob(caller, deduped, undefined, '2026-12');
    assert.notEqual(retried.job_id, first.job_id);
    assert.equal(retried.deduped_from, undefined);
  });
});
