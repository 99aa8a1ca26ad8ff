import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { fakeJobs, fakeUsage, queuedRow } from './fakes.ts';

const { usePorts } = await import('../../../src/app/ports.ts');
const { retryOwnJob } = await import('../../../src/app/job-retry.ts');
const { PodpdfError } = await import('../../../src/domain/errors.ts');

const JOB = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const caller = { user_id: 'acct-a' };
const failedRow = queuedRow(JOB, {
  status: 'failed',
  error_code: 'RENDER_TIMEOUT',
  error_message: 'Rendering did not finish within the processing time limit.',
  completed_at: '2025-05-01T00:00:00.000Z',
  input_key: `inputs/${JOB}.html`,
  webhook_url: 'https://hooks.example/podpdf',
  webhook_delivered: true,
  webhook_retry_count: 0,
});

/** Ports for a retry: the failed row, its stored HTML, a queue that does what `send` does. */
const setUp = (send: () => Promise<void>, options: { maxActive?: number; claimOnSend?: boolean } = {}) => {
  const { rows, jobs } = fakeJobs();
  rows.set(JOB, { ...failedRow });
  const meter = fakeUsage(options.maxActive);
  const sent: string[] = [];
  const restore = usePorts({
    jobs: { ...jobs, countActiveJobs: async () => 0 },
    usage: meter.usage,
    blobs: { getInput: async (key) => (key === failedRow.input_key ? '<p>stored</p>' : undefined) },
    queue: {
      enqueueLongjob: async (body) => {
        sent.push(body);
        // A send whose answer is lost may still arrive: a processor takes the job meanwhile.
        if (options.claimOnSend) await jobs.claimJob?.(JOB, 'worker', Date.now(), 60_000);
        await send();
      },
    },
  });
  return { rows, sent, meter, restore };
};

const refusedWith = (code: string, status: number, reason?: string) => (err: unknown) =>
  err instanceof PodpdfError &&
  err.code === code &&
  err.status === status &&
  (reason === undefined || (err.details as { reason?: string }).reason === reason);

describe('retryOwnJob', () => {
  let restore: () => void = () => undefined;
  afterEach(() => restore());

  it('re-queues a failed long job under the same id, clears the failure and sends its stored input', async () => {
    const env = setUp(async () => undefined);
    restore = env.restore;
    const job = await retryOwnJob(caller, JOB, '2025-05');
    assert.equal(job.job_id, JOB);
    assert.equal(job.status, 'queued');
    assert.equal(job.retry_count, 1);
    assert.equal(job.error_code, undefined);
    assert.equal(job.webhook_delivered, undefined, 'the new outcome is announced');
    assert.equal(job.active_owner, 'acct-a');
    assert.deepEqual(JSON.parse(env.sent[0] ?? ''), { job_id: JOB, owner: 'acct-a', html: '<p>stored</p>' });
    assert.equal(env.meter.active.get('acct-a'), 1);
    assert.deepEqual(env.meter.refunds, []);
  });

  it('puts the job back as it was, frees the active job and gives back the PDF when no send is confirmed', async () => {
    const env = setUp(async () => {
      throw new Error('SQS down');
    });
    restore = env.restore;
    await assert.rejects(retryOwnJob(caller, JOB, '2025-05'), refusedWith('ENQUEUE_FAILED', 503));
    assert.equal(env.sent.length, 2, 'sent once more before giving up');
    assert.deepEqual(env.rows.get(JOB), failedRow);
    assert.equal(env.meter.active.get('acct-a'), 0);
    assert.deepEqual(env.meter.refunds, ['2025-05']);
    // Unchanged, so it can be retried again once SQS is back.
    restore();
    const again = setUp(async () => undefined);
    restore = again.restore;
    again.rows.set(JOB, env.rows.get(JOB) ?? failedRow);
    assert.equal((await retryOwnJob(caller, JOB, '2025-05')).retry_count, 1);
  });

  it('keeps the retry when a processor already took the job: an unconfirmed send did arrive', async () => {
    const env = setUp(
      async () => {
        throw new Error('timed out');
      },
      { claimOnSend: true },
    );
    restore = env.restore;
    const job = await retryOwnJob(caller, JOB, '2025-05');
    assert.equal(job.status, 'queued');
    assert.equal(env.rows.get(JOB)?.status, 'processing');
    assert.equal(env.meter.active.get('acct-a'), 1);
    assert.deepEqual(env.meter.refunds, []);
  });

  it('refuses what cannot be retried with 409 JOB_NOT_RETRYABLE, and gives back the PDF', async () => {
    const env = setUp(async () => undefined);
    restore = env.restore;
    const cases: Array<[Partial<typeof failedRow>, string]> = [
      [{ status: 'completed' }, 'status'],
      [{ status: 'queued' }, 'status'],
      [{ status: 'cancelled' }, 'status'],
      [{ job_type: 'quick' }, 'quick_job'],
      [{ input_key: `inputs/${JOB}-gone.html` }, 'input_expired'],
      [{ input_key: undefined }, 'input_expired'],
      [{ webhook_delivered: undefined }, 'webhook_pending'],
    ];
    for (const [fields, reason] of cases) {
      env.rows.set(JOB, { ...failedRow, ...fields });
      await assert.rejects(
        retryOwnJob(caller, JOB, '2025-05'),
        refusedWith('JOB_NOT_RETRYABLE', 409, reason),
      );
    }
    assert.equal(env.meter.refunds.length, cases.length);
    assert.equal(env.sent.length, 0);
    assert.equal(env.meter.active.get('acct-a') ?? 0, 0);
  });

  it("answers another account's job with 404, and respects the active-job cap", async () => {
    const env = setUp(async () => undefined, { maxActive: 0 });
    restore = env.restore;
    await assert.rejects(retryOwnJob({ user_id: 'acct-b' }, JOB, '2025-05'), refusedWith('NOT_FOUND', 404));
    await assert.rejects(retryOwnJob(caller, JOB, '2025-05'), refusedWith('TOO_MANY_ACTIVE_JOBS', 403));
    assert.equal(env.rows.get(JOB)?.status, 'failed');
    assert.deepEqual(env.meter.refunds, ['2025-05', '2025-05']);
  });
});
