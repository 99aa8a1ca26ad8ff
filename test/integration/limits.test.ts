import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { getRenderCount } from '../../src/renderer/render.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';

const errorOf = async (res: Response) =>
  ((await res.json()) as { error: { code: string; details: Record<string, unknown> } }).error;

/**
 * Plans per account, through the handlers and the Usage table: a small plan (1 request a second in
 * bursts of 4, 6 PDFs a month, 2 active long jobs) and one account (C) whose own row raises it.
 * Long jobs stay queued: no poller runs here.
 */
describe('rate limits and quotas', () => {
  let stack: TestStack;
  const [keyA, keyB, keyC, keyD] = ['limits-a', 'limits-b', 'limits-c', 'limits-d'];
  const get = (apiKey: string) => stack.call('GET', '/accounts/me', { apiKey });
  const quick = (apiKey: string) =>
    stack.call('POST', '/quickjob', { apiKey, body: { input_type: 'html', html: '<p>x</p>' } });
  const long = (apiKey: string) =>
    stack.call('POST', '/longjob', { apiKey, body: { input_type: 'html', html: '<p>x</p>' } });

  before(async () => {
    stack = await startTestStack({
      apiKeys: [keyA, keyB, keyC, keyD],
      pollQueues: false,
      env: {
        PODPDF_RATE_PER_S: '1',
        PODPDF_RATE_BURST: '4',
        PODPDF_MONTHLY_PDFS: '6',
        PODPDF_MAX_ACTIVE_JOBS: '2',
      },
    });
    // C's plan, set on its Users row as an operator would.
    const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    const { getDocumentClient } = await import('../../src/adapters/dynamodb.ts');
    await getDocumentClient().send(
      new UpdateCommand({
        TableName: process.env.USERS_TABLE,
        Key: { user_id: stack.accounts[2]?.user_id },
        UpdateExpression: 'SET #p = :p',
        ExpressionAttributeNames: { '#p': 'plan' },
        ExpressionAttributeValues: {
          ':p': { rate_per_s: 0.001, burst: 60, monthly_pdfs: 1000, max_active_jobs: 100 },
        },
      }),
    );
  });
  after(async () => {
    await stack.stop();
  });

  it('answers a burst past the bucket with 429 and a Retry-After that works; another account is untouched', async () => {
    const answers = [];
    for (let i = 0; i < 6; i += 1) answers.push(await get(keyA));
    const statuses = answers.map((res) => res.status);
    assert.deepEqual(statuses.slice(0, 4), [200, 200, 200, 200]);
    assert.equal(statuses.at(-1), 429);
    const refused = answers.at(-1) as Response;
    const error = await errorOf(refused);
    assert.equal(error.code, 'RATE_LIMITED');
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 2, `Retry-After ${retryAfter}`);
    assert.equal(refused.headers.get('ratelimit-limit'), '4');
    assert.equal(refused.headers.get('ratelimit-remaining'), '0');
    assert.equal(answers[0]?.headers.get('ratelimit-remaining'), '3');

    // B has a bucket of its own.
    assert.equal((await get(keyB)).status, 200);
    // Waiting as told is enough.
    await delay(retryAfter * 1000);
    assert.equal((await get(keyA)).status, 200);
  });

  it('refuses a client over its rate from memory: no render spent on a request it already knows the answer to', async () => {
    for (let i = 0; i < 4; i += 1) await (await quick(keyD)).arrayBuffer();
    const rendersBefore = getRenderCount();
    const first = await quick(keyD);
    assert.equal(first.status, 429);
    const wasted = getRenderCount() - rendersBefore;
    assert.ok(wasted <= 1, `the first refusal may have rendered alongside its admission (${wasted})`);
    for (let i = 0; i < 5; i += 1) assert.equal((await quick(keyD)).status, 429);
    assert.equal(getRenderCount() - rendersBefore, wasted, 'later refusals render nothing');
    await delay(Number(first.headers.get('retry-after')) * 1000);
    const again = await quick(keyD);
    assert.equal(again.status, 200, 'admitted again once the bucket allows');
    await again.arrayBuffer();
  });

  it('refuses PDFs past the month with 403 QUOTA_EXCEEDED and says when the count starts again', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i += 1) {
      const res = await quick(keyB);
      statuses.push(res.status);
      if (res.status === 403) {
        assert.equal(res.headers.get('x-job-id'), null, 'a refused request makes no job');
        const error = await errorOf(res);
        assert.equal(error.code, 'QUOTA_EXCEEDED');
        const now = new Date();
        assert.equal(
          error.details.resets_at,
          new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString(),
        );
      } else await res.arrayBuffer();
      await delay(1_000); // B's rate: one a second
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 403]);
    const me = (await (await get(keyB)).json()) as { usage: { pdfs_used: number; pdfs_remaining: number } };
    assert.equal(me.usage.pdfs_used, 6);
    assert.equal(me.usage.pdfs_remaining, 0);
  });

  it('caps active long jobs; a cancelled one frees its place', async () => {
    await delay(1_000);
    const first = await long(keyA);
    assert.equal(first.status, 202);
    await delay(1_000);
    assert.equal((await long(keyA)).status, 202);
    await delay(1_000);
    const third = await long(keyA);
    assert.equal(third.status, 403);
    assert.equal((await errorOf(third)).code, 'TOO_MANY_ACTIVE_JOBS');
    await delay(1_000);
    const { job_id: jobId } = (await first.json()) as { job_id: string };
    assert.equal((await stack.call('DELETE', `/jobs/${jobId}`, { apiKey: keyA })).status, 200);
    await delay(1_000);
    assert.equal((await long(keyA)).status, 202);
  });

  it('counts exactly under 50 concurrent requests: the bucket admits its burst, the month counts every PDF', async () => {
    // C's own plan: a burst of 60 refilled at one request in 1,000 s, and 1,000 PDFs. 50 quick jobs
    // at once, then 20 requests at once: exactly the 10 left in the bucket get through.
    const answers = await Promise.all(Array.from({ length: 50 }, () => quick(keyC)));
    for (const res of answers) await res.arrayBuffer();
    assert.deepEqual([...new Set(answers.map((res) => res.status))], [200]);
    const more = await Promise.all(Array.from({ length: 20 }, () => get(keyC)));
    assert.equal(more.filter((res) => res.status === 200).length, 10);
    assert.equal(more.filter((res) => res.status === 429).length, 10);
    const { getUsage } = await import('../../src/adapters/usage-table.ts');
    const { usagePeriod } = await import('../../src/domain/plan.ts');
    const row = await getUsage(stack.accounts[2]?.user_id ?? '');
    assert.equal(row?.[`pdfs_${usagePeriod(Date.now()).id}`], 50, 'no update lost');
  });

  it('throttles requests without a valid key per source: 401 until the bucket is empty, then 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 22; i += 1) statuses.push((await get(`wrong-key-${i}`)).status);
    assert.deepEqual(statuses.slice(0, 20), Array(20).fill(401));
    assert.equal(statuses.at(-1), 429);
    const refused = await get('wrong-key-again');
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
    // A valid key is not held back by the guessing from its address.
    await delay(1_000);
    assert.equal((await get(keyB)).status, 200);
  });
});
