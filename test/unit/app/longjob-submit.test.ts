import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { fakeJobs } from './fakes.ts';

const { usePorts } = await import('../../../src/app/ports.ts');
const { submitLongjob } = await import('../../../src/app/longjob-submit.ts');
const { longjobRequestSchema } = await import('../../../src/domain/render-request.ts');

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
  const keys = new Map<string, unknown>();
  const sent: string[] = [];
  const restore = usePorts({
    jobs,
    accounts: { getAccount: async () => account },
    idempotency: {
      putIdempotencyRecord: async (record) => {
        keys.set(record.idempotency_key, record);
        return undefined;
      },
      deleteIdempotencyRecord: async (key) => {
        keys.delete(key);
      },
    },
    queue: {
      enqueueLongjob: async (body) => {
        sent.push(body);
        await enqueueLongjob(body);
      },
      queueDepth: async () => 0,
    },
  });
  return { rows, keys, sent, restore };
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
    const job = await submitLongjob(caller, request, undefined);
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
      submitLongjob(caller, request, 'key-1'),
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
    const job = await submitLongjob(caller, request, 'key-2');
    assert.equal(job.status, 'queued');
    const row = env.rows.get(job.job_id);
    assert.equal(row?.status, 'processing', 'the job goes on');
    assert.equal(row?.webhook_url, 'https://hooks.example/podpdf');
    assert.equal(env.keys.size, 1, 'the key stays with the accepted job');
  });
});
