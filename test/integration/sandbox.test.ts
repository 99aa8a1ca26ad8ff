import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getJob } from '../../src/adapters/jobs-table.ts';
import { isPdf, parsePdf } from '../helpers/pdf.ts';
import { pagedHtml, startTestStack, type TestStack } from '../helpers/stack.ts';
import { eventually, startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

const errorOf = async (res: Response) =>
  ((await res.json()) as { error: { code: string; details: Record<string, unknown> } }).error;

/**
 * Sandbox jobs (`test: true`) through the local stack, with a plan of 2 PDFs a month: account A spends
 * its quota, account B has a bucket of 2 requests that refills once in ~17 minutes.
 */
describe('sandbox jobs (test: true)', () => {
  let stack: TestStack;
  let receiver: WebhookReceiver;
  const [keyA, keyB] = ['sandbox-a', 'sandbox-b'];
  const quick = (apiKey: string, body: Record<string, unknown>) =>
    stack.call('POST', '/quickjob', { apiKey, body: { input_type: 'html', ...body } });
  const pdfsUsed = async (apiKey: string) =>
    ((await (await stack.call('GET', '/accounts/me', { apiKey })).json()) as { usage: { pdfs_used: number } })
      .usage.pdfs_used;
  const pdfOf = async (res: Response) => {
    const bytes = new Uint8Array(await res.arrayBuffer());
    assert.ok(isPdf(bytes));
    return parsePdf(bytes);
  };

  before(async () => {
    stack = await startTestStack({
      apiKeys: [keyA, keyB],
      env: { PODPDF_MONTHLY_PDFS: '2', PODPDF_WEBHOOK_RETRY_DELAYS_S: '1,1,1' },
    });
    const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    const { getDocumentClient } = await import('../../src/adapters/dynamodb.ts');
    await getDocumentClient().send(
      new UpdateCommand({
        TableName: process.env.USERS_TABLE,
        Key: { user_id: stack.accounts[1]?.user_id },
        UpdateExpression: 'SET #p = :p',
        ExpressionAttributeNames: { '#p': 'plan' },
        ExpressionAttributeValues: { ':p': { rate_per_s: 0.001, burst: 2 } },
      }),
    );
    receiver = await startWebhookReceiver();
    const res = await stack.call('PUT', '/accounts/me/webhook', {
      apiKey: keyA,
      body: { url: receiver.url },
    });
    assert.equal(res.status, 200);
  });
  after(async () => {
    await receiver.close();
    await stack.stop();
  });

  it('stamps SANDBOX on every page, counts no PDF and marks the job; a normal job counts', async () => {
    const res = await quick(keyA, { html: pagedHtml(3, 'Invoice page'), test: true });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-pdf-pages'), '3');
    const pdf = await pdfOf(res);
    assert.equal(pdf.pages, 3);
    pdf.pageTexts.forEach((text, i) => {
      assert.match(text, /SANDBOX/, `page ${i + 1}`);
      assert.match(text, new RegExp(`Invoice page ${i + 1} of 3`));
    });
    const jobId = res.headers.get('x-job-id') ?? '';
    assert.equal((await getJob(jobId))?.test, true);
    const view = (await (await stack.call('GET', `/jobs/${jobId}`, { apiKey: keyA })).json()) as {
      test: boolean;
    };
    assert.equal(view.test, true);
    assert.equal(await pdfsUsed(keyA), 0);

    const normal = await quick(keyA, { html: '<p>real</p>' });
    assert.equal(normal.status, 200);
    const real = await pdfOf(normal);
    assert.doesNotMatch(real.pageTexts.join(' '), /SANDBOX/);
    const normalId = normal.headers.get('x-job-id') ?? '';
    assert.equal((await getJob(normalId))?.test, undefined);
    const normalView = (await (await stack.call('GET', `/jobs/${normalId}`, { apiKey: keyA })).json()) as {
      test: boolean;
    };
    assert.equal(normalView.test, false);
    assert.equal(await pdfsUsed(keyA), 1);
  });

  it('keeps the watermark on a document that tries to hide it, and on every page of a truncated one', async () => {
    const hiding = `<style>*::before,*::after,[class*=sandbox i],[id*=sandbox i]{display:none!important}
      html{background:#fff}body{margin:0}p{font:20px sans-serif}</style>
      <div style="position:fixed;inset:0;background:#fff;z-index:2147483647">cover</div>
      <p>secret</p>
      <script>setInterval(() => { for (const e of document.querySelectorAll('body *'))
        if (/SANDBOX/.test(e.textContent) && e.tagName !== 'SCRIPT') e.remove(); }, 1);</script>`;
    const hidden = await quick(keyA, { html: hiding, test: true });
    assert.equal(hidden.status, 200);
    assert.match((await pdfOf(hidden)).pageTexts.join(' '), /SANDBOX/);

    const long = await quick(keyA, { html: pagedHtml(105), test: true });
    assert.equal(long.status, 200);
    assert.equal(long.headers.get('x-pdf-truncated'), 'true');
    assert.equal(long.headers.get('x-pdf-pages'), '100');
    const pdf = await pdfOf(long);
    assert.equal(pdf.pages, 100);
    const unstamped = pdf.pageTexts.flatMap((text, i) => (/SANDBOX/.test(text) ? [] : [i + 1]));
    assert.deepEqual(unstamped, []);
  });

  it('still renders sandbox jobs, quick and long, once the month is spent; normal ones get 403', async () => {
    while ((await pdfsUsed(keyA)) < 2)
      assert.equal((await quick(keyA, { html: '<p>spend</p>' })).status, 200);
    const refused = await quick(keyA, { html: '<p>more</p>' });
    assert.equal(refused.status, 403);
    assert.equal((await errorOf(refused)).code, 'QUOTA_EXCEEDED');
    const refusedLong = await stack.call('POST', '/longjob', {
      apiKey: keyA,
      body: { input_type: 'html', html: '<p>more</p>' },
    });
    assert.equal(refusedLong.status, 403);

    const sandbox = await quick(keyA, { html: '<p>still</p>', test: true });
    assert.equal(sandbox.status, 200);
    assert.match((await pdfOf(sandbox)).pageTexts.join(' '), /SANDBOX/);

    const submitted = await stack.call('POST', '/longjob', {
      apiKey: keyA,
      body: { input_type: 'html', html: pagedHtml(2, 'Long page'), test: true },
    });
    assert.equal(submitted.status, 202);
    const { job_id: jobId } = (await submitted.json()) as { job_id: string };
    const hook = await eventually(
      async () => receiver.received.find((w) => (JSON.parse(w.body) as { job_id: string }).job_id === jobId),
      60_000,
      'the webhook',
    );
    const payload = JSON.parse(hook.body) as { status: string; test: boolean; s3_url: string; pages: number };
    assert.equal(payload.status, 'completed');
    assert.equal(payload.test, true);
    assert.equal(payload.pages, 2);
    const pdf = await parsePdf(new Uint8Array(await (await fetch(payload.s3_url)).arrayBuffer()));
    assert.equal(pdf.pages, 2);
    pdf.pageTexts.forEach((text, i) => {
      assert.match(text, /SANDBOX/);
      assert.match(text, new RegExp(`Long page ${i + 1} of 2`));
    });
    assert.equal((await getJob(jobId))?.test, true);
    const view = (await (await stack.call('GET', `/jobs/${jobId}`, { apiKey: keyA })).json()) as {
      test: boolean;
      status: string;
    };
    assert.deepEqual([view.status, view.test], ['completed', true]);
    assert.equal(await pdfsUsed(keyA), 2);
  });

  it('counts sandbox requests against the rate limit, and validates the field', async () => {
    const invalid = await quick(keyB, { html: '<p>x</p>', test: 'yes' });
    assert.equal(invalid.status, 400);
    assert.equal((await errorOf(invalid)).code, 'VALIDATION_FAILED');
    // The invalid request took one of B's two tokens.
    assert.equal((await quick(keyB, { html: '<p>x</p>', test: true })).status, 200);
    const limited = await quick(keyB, { html: '<p>x</p>', test: true });
    assert.equal(limited.status, 429);
    assert.equal((await errorOf(limited)).code, 'RATE_LIMITED');
    assert.equal(await pdfsUsed(keyA), 2);
  });
});
