import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { getDocumentClient } from '../../src/adapters/dynamodb.ts';
import { getJob } from '../../src/adapters/jobs-table.ts';
import { getBrowser, getLaunchCount } from '../../src/renderer/browser.ts';
import { type LoopbackSite, startLoopbackSite } from '../helpers/loopback-site.ts';
import { parsePdf } from '../helpers/pdf.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';

// A short cap keeps the test fast; the code path is the same as with the real 30 s.
const CAP_MS = 3_000;

describe('POST /quickjob deadline', () => {
  let stack: TestStack;
  let site: LoopbackSite;
  before(async () => {
    // Images it is asked for are never answered: a render waiting on one stays in flight.
    site = await startLoopbackSite(() => undefined);
    stack = await startTestStack({
      // The site stands in for a public host.
      env: { PODPDF_QUICKJOB_TIMEOUT_MS: String(CAP_MS), PODPDF_ALLOW_PRIVATE_NETWORK: 'true' },
    });
  });
  after(async () => {
    await stack.stop();
    await site.close();
  });

  it('answers 408 for a page that never finishes, records it, and keeps serving', async () => {
    const warm = await stack.post('/quickjob', { input_type: 'html', html: '<p>warm</p>' });
    assert.equal(warm.status, 200);
    const launches = getLaunchCount();

    const started = Date.now();
    const res = await stack.post('/quickjob', {
      input_type: 'html',
      html: '<p>spin</p><script>while (true) {}</script>',
    });
    const elapsed = Date.now() - started;
    assert.equal(res.status, 408);
    assert.ok(elapsed < CAP_MS + 3_000, `answered after ${elapsed} ms`);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'QUICKJOB_TIMEOUT');
    assert.match(body.error.message, /POST \/longjob/);

    const jobId = res.headers.get('x-job-id') ?? '';
    const row = await getJob(jobId);
    assert.equal(row?.status, 'timeout');
    assert.equal(row?.timeout_occurred, true);
    assert.equal(row?.error_code, 'QUICKJOB_TIMEOUT');

    const events = await getDocumentClient().send(
      new QueryCommand({
        TableName: process.env.ANALYTICS_TABLE,
        KeyConditionExpression: 'job_id = :j',
        ExpressionAttributeValues: { ':j': jobId },
      }),
    );
    assert.equal(events.Items?.length, 1);
    assert.equal(events.Items?.[0]?.type, 'quickjob_timeout');
    assert.equal(events.Items?.[0]?.owner, stack.accounts[0]?.user_id);

    // The stuck page is gone and the same browser renders the next request.
    const next = await stack.post('/quickjob', { input_type: 'html', html: '<p>after the loop</p>' });
    assert.equal(next.status, 200);
    assert.deepEqual((await parsePdf(new Uint8Array(await next.arrayBuffer()))).pageTexts, [
      'after the loop',
    ]);
    assert.equal(getLaunchCount(), launches);
  });

  it('answers 502 without internals when Chromium dies mid-render, and relaunches for the next', async () => {
    const launches = getLaunchCount();
    const browser = await getBrowser();
    // A page whose load waits on an image the site never answers, and the browser killed once the
    // image is asked for: the render is in flight, whatever the machine's speed.
    const pending = stack.post('/quickjob', {
      input_type: 'html',
      html: `<p>busy</p><img src="${site.url('/held.png')}"><script>void 0</script>`,
    });
    await site.waitForRequest((r) => r.path === '/held.png', 10_000);
    browser.process()?.kill('SIGKILL');
    const res = await pending;
    assert.equal(res.status, 502);
    const text = await res.text();
    const body = JSON.parse(text) as { error: { code: string; details: unknown } };
    assert.equal(body.error.code, 'RENDER_FAILED');
    assert.equal(body.error.details, null);
    assert.doesNotMatch(text, /Protocol error|Target closed|\bat\s+\S+\s+\(/);
    assert.equal((await getJob(res.headers.get('x-job-id') ?? ''))?.error_code, 'RENDER_FAILED');

    const next = await stack.post('/quickjob', { input_type: 'html', html: '<p>relaunched</p>' });
    assert.equal(next.status, 200);
    assert.equal(getLaunchCount(), launches + 1);
  });

  it('times out a loop that starts after load, during printing', async () => {
    const html =
      '<p>late spin</p><script>addEventListener("load", () => setTimeout(() => { while (true) {} }, 0))</script>';
    const res = await stack.post('/quickjob', { input_type: 'html', html });
    assert.equal(res.status, 408);
    const next = await stack.post('/quickjob', { input_type: 'html', html: '<p>still fine</p>' });
    assert.equal(next.status, 200);
  });

  it('names the wait still pending in the 408, and a wait that cannot run gets 422 WAIT_FAILED', async () => {
    const res = await stack.post('/quickjob', {
      input_type: 'html',
      html: '<p>never ready</p>',
      options: { waitForSelector: '#ready' },
    });
    assert.equal(res.status, 408);
    const body = (await res.json()) as {
      error: { code: string; message: string; details: Record<string, unknown> };
    };
    assert.equal(body.error.code, 'QUICKJOB_TIMEOUT');
    assert.equal(body.error.details.waiting_for, 'waitForSelector "#ready"');
    assert.match(body.error.message, /still waiting for waitForSelector "#ready"/);

    const bad = await stack.post('/quickjob', {
      input_type: 'html',
      html: '<p>x</p>',
      options: { waitForExpression: 'window.(' },
    });
    assert.equal(bad.status, 422);
    assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'WAIT_FAILED');
  });
});
