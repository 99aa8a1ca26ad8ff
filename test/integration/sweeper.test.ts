import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { claimJob, getJob, insertJob } from '../../src/adapters/jobs-table.ts';
import { getUsage, reserveActiveJob } from '../../src/adapters/usage-table.ts';
import type { SweepReport } from '../../src/app/sweeper.ts';
import { type JobRecord, jobTtl } from '../../src/domain/job.ts';
import { MAX_QUEUE_MESSAGE_BYTES } from '../../src/domain/limits.ts';
import { PROJECT_ROOT } from '../../src/local/project-tmpdir.ts';
import { parsePdf } from '../helpers/pdf.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';
import { eventually } from '../helpers/webhook-receiver.ts';

const KEYS = ['sweeper-key-a', 'sweeper-key-b'];

/**
 * Submits `body` as account A to a stack process that dies between the job row and the queue message
 * (test/helpers/crashing-submitter.ts), sharing `stack`'s emulators; resolves once that process is
 * dead, with how it ended.
 */
const submitAndCrash = async (stack: TestStack, body: unknown) => {
  const child = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', join(PROJECT_ROOT, 'test/helpers/crashing-submitter.ts')],
    {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        PODPDF_DYNAMODB_ENDPOINT: stack.emulators.dynamodbEndpoint,
        PODPDF_AWS_ENDPOINT: stack.emulators.awsEndpoint,
        PODPDF_DEV_API_KEYS: KEYS.join(','),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_c, s) => resolve(s)));
  let output = '';
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const ready = /READY (\S+)/.exec(output);
      if (ready?.[1]) resolve(ready[1]);
    });
    void exited.then(() => reject(new Error(`the submitting stack ended before it was ready:\n${output}`)));
  });
  const answer = await fetch(`${url}/longjob`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEYS[0]}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then(
    (res) => `HTTP ${res.status}`,
    (err: unknown) => `no answer (${(err as Error).message})`,
  );
  return { answer, signal: await exited };
};

describe('the sweeper, after a submission died between the job row and the queue message', () => {
  let stack: TestStack;
  let sqs: SQSClient;
  const owners: string[] = [];

  before(async () => {
    // Jobs are old enough for the sweeper at once; it runs only when the test asks for it.
    stack = await startTestStack({
      apiKeys: KEYS,
      runSchedules: false,
      env: { PODPDF_SWEEPER_GRACE_MS: '0' },
    });
    owners.push(...stack.accounts.map((account) => account.user_id));
    sqs = new SQSClient({ region: 'us-east-1', endpoint: stack.emulators.awsEndpoint });
  });
  after(async () => {
    sqs.destroy();
    await stack.stop();
  });

  const messagesInQueue = async () => {
    const { Attributes: a = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: stack.queues.LongjobQueue?.url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible);
  };
  const jobsOf = async (apiKey: string) =>
    (await (await stack.call('GET', '/jobs', { apiKey })).json()) as {
      jobs: Array<{ job_id: string; status: string }>;
      active_count: number;
    };
  const sweep = async () => (await stack.runScheduled('sweeper')) as SweepReport;

  it('requeues jobs whose submission died before the queue, from their stored input; each renders once', async () => {
    // Over what fits in a message, and small enough to travel in one: both are stored in S3 before
    // the row, so both survive the crash.
    const filler = `<p style="display:none">${'x'.repeat(MAX_QUEUE_MESSAGE_BYTES)}</p>`;
    const big = await submitAndCrash(stack, {
      input_type: 'html',
      html: `<h1>Recovered by the sweeper</h1>${filler}`,
    });
    assert.equal(big.signal, 'SIGKILL');
    assert.match(big.answer, /^no answer/, 'the client got no 202');
    const small = await submitAndCrash(stack, { input_type: 'html', html: '<p>Small and recovered</p>' });
    assert.equal(small.signal, 'SIGKILL');

    const before = await jobsOf(KEYS[0] as string);
    assert.deepEqual(
      before.jobs.map((j) => j.status),
      ['queued', 'queued'],
    );
    assert.equal(before.active_count, 2, 'both count against the account until settled');
    assert.equal(await messagesInQueue(), 0, 'neither message reached the queue');
    const [smallJob, bigJob] = before.jobs.map((j) => j.job_id) as [string, string];
    for (const jobId of [smallJob, bigJob]) assert.ok((await getJob(jobId))?.input_key, jobId);

    const report = await sweep();
    assert.deepEqual([...report.requeued].sort(), [smallJob, bigJob].sort());
    assert.deepEqual(report.failed, []);

    // The poller takes the requeued messages and the processor renders them.
    for (const [jobId, text] of [
      [bigJob, /Recovered by the sweeper/],
      [smallJob, /Small and recovered/],
    ] as const) {
      const done = await eventually(
        async () => {
          const res = await stack.call('GET', `/jobs/${jobId}`);
          const job = (await res.json()) as { status: string; s3_url: string };
          return job.status === 'completed' || job.status === 'failed' ? job : undefined;
        },
        120_000,
        'the requeued job to finish',
      );
      assert.equal(done.status, 'completed');
      const pdf = await parsePdf(new Uint8Array(await (await fetch(done.s3_url)).arrayBuffer()));
      assert.equal(pdf.pages, 1);
      assert.match(pdf.pageTexts[0] ?? '', text);
      assert.equal((await getJob(jobId))?.attempts, 1, 'rendered once');
    }

    const afterwards = await jobsOf(KEYS[0] as string);
    assert.equal(afterwards.active_count, 0);
    assert.equal((await getUsage(owners[0] as string))?.active_jobs, 0, 'both reservations released');
    // Settled jobs leave the active index: the next sweep has nothing to do.
    assert.deepEqual(await sweep(), {
      candidates: 0,
      requeued: [],
      failed: [],
      errors: 0,
      unfinished: false,
    });
  });

  it("gives up on A's job whose lease ran out too often, and leaves B's live claim alone", async () => {
    const [a, b] = owners as [string, string];
    const now = Date.now();
    const row = (owner: string, fields: Partial<JobRecord>): JobRecord => ({
      job_id: randomUUID(),
      owner,
      active_owner: owner,
      job_type: 'long',
      status: 'queued',
      mode: 'html',
      options: {},
      created_at: new Date(now - 3_600_000).toISOString(),
      ttl: jobTtl(new Date(now)),
      ...fields,
    });
    // A's worker died on its third attempt an hour ago; B's worker is rendering right now.
    const stalled = row(a, {
      status: 'processing',
      attempts: 3,
      lease_token: 'dead-worker',
      lease_expires_at: now - 3_000_000,
    });
    const live = row(b, {});
    await insertJob(stalled);
    await insertJob(live);
    for (const owner of [a, b]) assert.ok(await reserveActiveJob(owner, 10, async () => 0));
    assert.ok(await claimJob(live.job_id, 'live-worker', now, 600_000));

    const report = await sweep();
    assert.deepEqual(report.failed, [{ job_id: stalled.job_id, code: 'PROCESSING_STALLED' }]);
    assert.deepEqual(report.requeued, []);

    const settled = await getJob(stalled.job_id);
    assert.equal(settled?.status, 'failed');
    assert.equal(settled?.error_code, 'PROCESSING_STALLED');
    assert.equal(settled?.active_owner, undefined);
    assert.equal((await getUsage(a))?.active_jobs, 0);

    const untouched = await getJob(live.job_id);
    assert.equal(untouched?.status, 'processing');
    assert.equal(untouched?.lease_token, 'live-worker');
    assert.equal(untouched?.error_code, undefined);
    assert.equal((await getUsage(b))?.active_jobs, 1);
    assert.equal((await jobsOf(KEYS[1] as string)).active_count, 1);
  });
});
