import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { WebhookMessage } from '../../../src/domain/webhook.ts';
import { logged } from '../../helpers/log-lines.ts';
import { fakeClock, fakeJobs, fakeUsage, fakeWebhookQueue, fakeWebhookRows, queuedRow } from './fakes.ts';

const { usePorts } = await import('../../../src/app/ports.ts');
const { useRenderer } = await import('../../../src/app/render-port.ts');
const { processLongjobMessage } = await import('../../../src/app/longjob-process.ts');
const { handleDeadLetter } = await import('../../../src/app/dead-letter.ts');
const { deliverWebhookMessage } = await import('../../../src/app/webhook-delivery.ts');
const { ImageTooLargeError, RenderCrashError } = await import('../../../src/renderer/render.ts');

const account = {
  user_id: 'acct-a',
  api_key_hash: 'h',
  name: 'A',
  created_at: '',
  webhook_secret: `whsec_${Buffer.from('a signing secret, 24 b.').toString('base64')}`,
};
const WEBHOOK = 'https://hooks.example/podpdf';

/**
 * Ports for processing: an in-memory job table, a webhook queue that keeps what was handed to it
 * and a webhook sender that records what it sent. `deliver` plays the webhook function: one receive
 * of each queued message.
 */
const setUp = (rows: Parameters<typeof queuedRow>[1][] = []) => {
  const store = fakeJobs();
  const webhookQueue = fakeWebhookQueue();
  const sent: Array<{ url: string; body: Record<string, unknown> }> = [];
  for (const [i, fields] of rows.entries()) store.rows.set(`job-${i}`, queuedRow(`job-${i}`, fields));
  const restore = usePorts({
    jobs: { ...store.jobs, ...fakeWebhookRows(store.rows) },
    accounts: { getAccount: async () => account },
    usage: fakeUsage().usage,
    blobs: { getInput: async () => undefined },
    analytics: { recordEvent: async () => undefined },
    queue: webhookQueue.queue,
    webhooks: {
      ...webhookQueue.gate,
      postWebhook: async (url, body) => {
        sent.push({ url, body: JSON.parse(body) as Record<string, unknown> });
        return { statusCode: 200, durationMs: 1 };
      },
    },
  });
  const deliver = async () => {
    for (const body of webhookQueue.queued.splice(0))
      await deliverWebhookMessage(JSON.parse(body) as WebhookMessage, { queuedAt: Date.now(), receives: 1 });
  };
  return { ...store, sent, queued: webhookQueue.queued, deliver, restore };
};

const inAMinute = () => Date.now() + 60_000;

describe('processLongjobMessage: failure paths', () => {
  const restores: Array<() => void> = [];
  afterEach(() => {
    for (const restore of restores.splice(0)) restore();
  });

  it('logs each move of the job: claimed, then failed with its code', async () => {
    const env = setUp([{ input_key: 'inputs/job-0.html' }]);
    restores.push(env.restore);
    const lines = await logged(() =>
      processLongjobMessage({ job_id: 'job-0', owner: 'acct-a' }, inAMinute()),
    );
    const moves = lines
      .filter((line) => line.message === 'job')
      .map((line) => [line.status, line.error_code]);
    assert.deepEqual(moves, [
      ['processing', undefined],
      ['failed', 'INPUT_MISSING'],
    ]);
  });

  it('fails a job whose stored HTML is gone with INPUT_MISSING, and sends its webhook', async () => {
    const env = setUp([{ input_key: 'inputs/job-0.html', webhook_url: WEBHOOK }]);
    restores.push(env.restore);
    const outcome = await processLongjobMessage({ job_id: 'job-0', owner: 'acct-a' }, inAMinute());
    assert.equal(outcome, 'done');
    assert.equal(env.rows.get('job-0')?.status, 'failed');
    assert.equal(env.rows.get('job-0')?.error_code, 'INPUT_MISSING');
    assert.equal(env.sent.length, 0, 'the processor sends no webhook itself');
    await env.deliver();
    assert.equal(env.sent.length, 1);
    assert.deepEqual(env.sent[0]?.body.error, {
      code: 'INPUT_MISSING',
      message: 'The stored HTML of this job no longer exists.',
    });
  });

  it("fails a document whose image is too large for good: IMAGE_TOO_LARGE, the renderer's message", async () => {
    const env = setUp([{ webhook_url: WEBHOOK }]);
    restores.push(env.restore);
    restores.push(
      useRenderer(async () => {
        throw new ImageTooLargeError(
          { url: 'https://a.example/x.png', format: 'PNG', width: 9e3, height: 9e3 },
          1,
          81e6,
        );
      }),
    );
    const outcome = await processLongjobMessage(
      { job_id: 'job-0', owner: 'acct-a', html: '<p>x</p>' },
      inAMinute(),
    );
    assert.equal(outcome, 'done');
    const row = env.rows.get('job-0');
    assert.equal(row?.error_code, 'IMAGE_TOO_LARGE');
    assert.match(row?.error_message ?? '', /https:\/\/a\.example\/x\.png is a PNG of 9000×9000 pixels/);
  });

  it('gives the claim back and asks for redelivery when Chromium crashes: not the document’s fault', async () => {
    const env = setUp([{ webhook_url: WEBHOOK }]);
    restores.push(env.restore);
    restores.push(
      useRenderer(async () => {
        throw new RenderCrashError('Target closed');
      }),
    );
    const outcome = await processLongjobMessage(
      { job_id: 'job-0', owner: 'acct-a', html: '<p>x</p>' },
      inAMinute(),
    );
    assert.equal(outcome, 'retry');
    const row = env.rows.get('job-0');
    assert.equal(row?.status, 'queued', 'the next delivery can claim it at once');
    assert.equal(row?.attempts, 1);
    assert.equal(env.sent.length, 0);
  });

  it('renders a URL job from its stored source when the message carries none (a requeue)', async () => {
    const source = { url: 'https://docs.example/page', http_headers: { 'x-tenant': 'a' } };
    const env = setUp([{ mode: 'url', input_key: 'inputs/job-0.source.json' }]);
    const inputs: unknown[] = [];
    restores.push(
      env.restore,
      usePorts({
        blobs: {
          getInput: async () => JSON.stringify(source),
          putPdf: async (jobId) => `pdfs/${jobId}.pdf`,
          presignPdf: async () => ({ url: 'https://s3.example/x.pdf', expiresAt: '' }),
        },
      }),
      useRenderer(async (input) => {
        inputs.push(input);
        return {
          file: { byteLength: 5, bytes: new Uint8Array(5), base64: '' } as never,
          pages: 1,
          truncated: false,
        };
      }),
    );
    assert.equal(await processLongjobMessage({ job_id: 'job-0', owner: 'acct-a' }, inAMinute()), 'done');
    assert.deepEqual(inputs, [{ source }]);
  });

  it('a message for a job another worker holds is redelivered; one for a finished job is acknowledged', async () => {
    const env = setUp([
      { status: 'processing', lease_token: 'other', lease_expires_at: Date.now() + 600_000 },
      { status: 'failed', error_code: 'ENQUEUE_FAILED' },
    ]);
    restores.push(env.restore);
    assert.equal(await processLongjobMessage({ job_id: 'job-0', owner: 'acct-a' }, inAMinute()), 'retry');
    // A job failed at submission (its client got 503) is not rendered, and announces nothing.
    assert.equal(await processLongjobMessage({ job_id: 'job-1', owner: 'acct-a' }, inAMinute()), 'done');
    assert.equal(env.rows.get('job-1')?.status, 'failed');
    assert.equal(env.sent.length, 0);
    assert.equal(
      await processLongjobMessage({ job_id: 'no-such-job', owner: 'acct-a' }, inAMinute()),
      'done',
    );
  });
});

describe('processLongjobMessage: time', () => {
  const restores: Array<() => void> = [];
  afterEach(() => {
    for (const restore of restores.splice(0)) restore();
  });
  /** S3 as far as a completed job needs it: the PDF stored and a URL for it. */
  const storedPdf = {
    putPdf: async (jobId: string) => `pdfs/${jobId}.pdf`,
    presignPdf: async () => ({ url: 'https://s3.example/x.pdf', expiresAt: '' }),
  };
  const renderOnePage = () =>
    useRenderer(async () => ({
      file: { byteLength: 5, bytes: new Uint8Array(5), base64: 'AAAAAAA=' } as never,
      pages: 1,
      truncated: false,
    }));

  it('waits out the lease of a dead worker that ends soon, then renders the job once', async () => {
    const time = fakeClock();
    const env = setUp([
      {
        status: 'processing',
        lease_token: 'dead',
        lease_expires_at: time.clock.now() + 5_000,
        webhook_url: WEBHOOK,
      },
    ]);
    restores.push(env.restore, renderOnePage(), usePorts({ clock: time.clock, blobs: storedPdf }));
    const outcome = await processLongjobMessage(
      { job_id: 'job-0', owner: 'acct-a', html: '<p>x</p>' },
      time.clock.now() + 60_000,
    );
    assert.equal(outcome, 'done');
    assert.equal(env.rows.get('job-0')?.status, 'completed');
    assert.deepEqual(time.slept, [5_010], 'slept just past the lease, once');
    assert.equal(env.queued.length, 1, 'its webhook handed off');
  });

  it('hands the webhook off and returns, whatever the receiver does: no retry waits in the processor', async () => {
    const time = fakeClock();
    const env = setUp([{ webhook_url: WEBHOOK }]);
    let posts = 0;
    restores.push(env.restore, renderOnePage());
    restores.push(
      usePorts({
        clock: time.clock,
        blobs: storedPdf,
        webhooks: {
          postWebhook: async () => {
            posts += 1;
            return { statusCode: 500, durationMs: 1 };
          },
        },
      }),
    );
    const outcome = await processLongjobMessage(
      { job_id: 'job-0', owner: 'acct-a', html: '<p>x</p>' },
      time.clock.now() + 60_000,
    );
    assert.equal(outcome, 'done');
    assert.equal(posts, 0);
    assert.deepEqual(time.slept, []);
    assert.deepEqual(
      env.queued.map((body) => JSON.parse(body)),
      [{ job_id: 'job-0', round: 1 }],
    );
  });

  it('a hand-off the queue refuses leaves the message for redelivery, which hands it off again', async () => {
    const env = setUp([{ webhook_url: WEBHOOK }]);
    let refuse = true;
    restores.push(env.restore, renderOnePage());
    restores.push(
      usePorts({
        blobs: storedPdf,
        queue: {
          enqueueWebhook: async (body) => {
            if (refuse) throw new Error('queue unavailable');
            env.queued.push(body);
          },
        },
      }),
    );
    const message = { job_id: 'job-0', owner: 'acct-a', html: '<p>x</p>' };
    assert.equal(await processLongjobMessage(message, inAMinute()), 'retry');
    assert.equal(env.rows.get('job-0')?.status, 'completed', 'the job itself is done');
    refuse = false;
    assert.equal(await processLongjobMessage(message, inAMinute()), 'done');
    assert.equal(env.queued.length, 1);
    await env.deliver();
    assert.equal(env.sent.length, 1);
    assert.equal(env.rows.get('job-0')?.webhook_delivered, true);
  });
});

describe('handleDeadLetter: races with a worker', () => {
  const restores: Array<() => void> = [];
  afterEach(() => {
    for (const restore of restores.splice(0)) restore();
  });

  it('fails a queued job with PROCESSING_FAILED and sends its webhook', async () => {
    const env = setUp([{ webhook_url: WEBHOOK }]);
    restores.push(env.restore);
    assert.equal(await handleDeadLetter({ job_id: 'job-0', owner: 'acct-a' }, 3), 'done');
    assert.equal(env.rows.get('job-0')?.error_code, 'PROCESSING_FAILED');
    await env.deliver();
    assert.equal(env.sent.length, 1);
  });

  it('waits for a worker that still holds a live claim', async () => {
    const env = setUp([{ status: 'processing', lease_token: 't', lease_expires_at: Date.now() + 600_000 }]);
    restores.push(env.restore);
    assert.equal(await handleDeadLetter({ job_id: 'job-0', owner: 'acct-a' }, 3), 'retry');
    assert.equal(env.rows.get('job-0')?.status, 'processing');
  });

  it('takes over a claim whose lease ran out', async () => {
    const env = setUp([{ status: 'processing', lease_token: 't', lease_expires_at: Date.now() - 1 }]);
    restores.push(env.restore);
    assert.equal(await handleDeadLetter({ job_id: 'job-0', owner: 'acct-a' }, 3), 'done');
    assert.equal(env.rows.get('job-0')?.status, 'failed');
  });

  it('finishes only the pending webhook of a job that completed meanwhile', async () => {
    const env = setUp([{ status: 'completed', webhook_url: WEBHOOK, s3_key: 'pdfs/job-0.pdf' }]);
    restores.push(env.restore);
    restores.push(
      usePorts({ blobs: { presignPdf: async () => ({ url: 'https://s3.example/x.pdf', expiresAt: '' }) } }),
    );
    assert.equal(await handleDeadLetter({ job_id: 'job-0', owner: 'acct-a' }, 3), 'done');
    assert.equal(env.rows.get('job-0')?.status, 'completed');
    await env.deliver();
    assert.equal(env.sent.length, 1);
    assert.equal(env.sent[0]?.body.status, 'completed');
  });
});
