import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient, PodpdfApiError, type PodpdfClient, verifyWebhook } from '../../../src/client/index.ts';
import { parsePdf } from '../../helpers/pdf.ts';
import { startTestStack, type TestStack } from '../../helpers/stack.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver.ts';

const rejectsWith = async (promise: Promise<unknown>, expected: Partial<PodpdfApiError>) => {
  const error = await promise.then(
    () => assert.fail('expected a PodpdfApiError'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof PodpdfApiError, String(error));
  for (const [key, value] of Object.entries(expected))
    assert.deepEqual(error[key as keyof PodpdfApiError], value, key);
  return error;
};

describe('Client: against the local stack', () => {
  let stack: TestStack;
  let client: PodpdfClient;
  let other: PodpdfClient;
  let receiver: WebhookReceiver;

  before(async () => {
    stack = await startTestStack({ apiKeys: ['client-key-a', 'client-key-b'] });
    client = createClient({ baseUrl: stack.url, apiKey: 'client-key-a' });
    other = createClient({ baseUrl: `${stack.url}/`, apiKey: 'client-key-b' });
    receiver = await startWebhookReceiver();
  });
  after(async () => {
    await receiver.close();
    await stack.stop();
  });

  it('quickjob returns the PDF with its pages, job id and request id', async () => {
    const result = await client.quickjob({
      input_type: 'html',
      html: '<h1>Hello from the client</h1>',
      options: { format: 'A5', landscape: true },
    });
    assert.equal(result.pages, 1);
    assert.equal(result.truncated, false);
    assert.match(result.jobId, /^[0-9a-f-]{36}$/);
    assert.ok(result.requestId);
    const pdf = await parsePdf(result.pdf);
    assert.equal(pdf.pages, 1);
    assert.match(pdf.pageTexts[0] ?? '', /Hello from the client/);
    const [size] = pdf.pageSizes;
    assert.ok(size && size.width > size.height, 'landscape');
  });

  it('longjob, waitForJob and download: the completed job and its PDF', async () => {
    const accepted = await client.longjob({
      input_type: 'markdown',
      markdown: '# Report\n\nQuarterly numbers',
    });
    assert.equal(accepted.status, 'queued');
    const seen: string[] = [];
    const job = await client.waitForJob(accepted.job_id, {
      intervalMs: 100,
      onPoll: (view) => seen.push(view.status),
    });
    assert.equal(job.status, 'completed');
    assert.equal(seen.at(-1), 'completed');
    assert.equal(job.pages, 1);
    const pdf = await parsePdf(await client.download(accepted.job_id));
    assert.match(pdf.pageTexts[0] ?? '', /Quarterly numbers/);
    assert.equal((await client.getJob(accepted.job_id)).job_id, accepted.job_id);
  });

  it('maps a wrong key to UNAUTHORIZED with status and request id', async () => {
    const stranger = createClient({ baseUrl: stack.url, apiKey: 'not-a-key' });
    const error = await rejectsWith(stranger.getAccount(), { code: 'UNAUTHORIZED', status: 401 });
    assert.ok(error.requestId);
    assert.match(error.message, /not valid/);
  });

  it('maps a schema error to VALIDATION_FAILED with its issues', async () => {
    const error = await rejectsWith(
      client.quickjob({ input_type: 'html', html: '<p>x</p>', options: { scale: 5 } }),
      { code: 'VALIDATION_FAILED', status: 400 },
    );
    const issues = error.details?.issues as Array<{ path: string }>;
    assert.ok(issues.some((issue) => issue.path === 'options.scale'));
  });

  it("maps another account's job to NOT_FOUND, on every job call", async () => {
    const { jobId } = await client.quickjob({ input_type: 'html', html: '<p>mine</p>' });
    await rejectsWith(other.getJob(jobId), { code: 'NOT_FOUND', status: 404 });
    await rejectsWith(other.download(jobId), { code: 'NOT_FOUND', status: 404 });
    await rejectsWith(other.cancelJob(jobId), { code: 'NOT_FOUND', status: 404 });
    // The owner gets the real reasons: a quick job has nothing to download or cancel.
    await rejectsWith(client.download(jobId), { code: 'JOB_NOT_READY', status: 409 });
    await rejectsWith(client.cancelJob(jobId), { code: 'JOB_NOT_CANCELLABLE', status: 409 });
  });

  it('verifyWebhook accepts a delivered webhook and refuses a tampered one', async () => {
    const { signing_secret: secret } = await client.setWebhook(receiver.url);
    assert.match(secret ?? '', /^whsec_/);
    const account = await client.getAccount();
    assert.equal(account.webhook.url, receiver.url);
    const accepted = await client.longjob({ input_type: 'html', html: '<h1>Signed</h1>' });
    const [delivery] = await receiver.waitFor(1, 60_000);
    assert.ok(delivery);
    const event = verifyWebhook(secret as string, delivery.body, delivery.headers);
    assert.equal(event.job_id, accepted.job_id);
    assert.equal(event.status, 'completed');
    const headers = new Headers();
    for (const [name, value] of Object.entries(delivery.headers))
      if (typeof value === 'string') headers.set(name, value);
    assert.equal(
      verifyWebhook(secret as string, Buffer.from(delivery.body), headers).job_id,
      accepted.job_id,
    );
    assert.throws(
      () =>
        verifyWebhook(secret as string, delivery.body.replace('"completed"', '"failed"'), delivery.headers),
      { name: 'WebhookVerificationError' },
    );
    const { signing_secret: rotated } = await client.rotateWebhookSecret();
    assert.throws(() => verifyWebhook(rotated, delivery.body, delivery.headers), {
      name: 'WebhookVerificationError',
    });
    await client.deleteWebhook();
    assert.equal((await client.getAccount()).webhook.url, null);
  });
});
