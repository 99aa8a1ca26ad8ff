import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient, PodpdfApiError, type PodpdfClient } from '../../../src/client/index.ts';
import { startTestStack, type TestStack } from '../../helpers/stack.ts';

// No queue pollers: long jobs stay queued, so they can be listed exactly and cancelled.
describe('Client: queued jobs', () => {
  let stack: TestStack;
  let client: PodpdfClient;
  const submitted: string[] = [];

  before(async () => {
    stack = await startTestStack({ apiKeys: ['queued-key-a', 'queued-key-b'], pollQueues: false });
    client = createClient({ baseUrl: stack.url, apiKey: 'queued-key-a' });
    for (let i = 0; i < 5; i += 1) {
      submitted.push((await client.longjob({ input_type: 'html', html: `<p>job ${i}</p>` })).job_id);
      await new Promise((resolve) => setTimeout(resolve, 5)); // distinct created_at
    }
    await createClient({ baseUrl: stack.url, apiKey: 'queued-key-b' }).longjob({
      input_type: 'html',
      html: '<p>other account</p>',
    });
  });
  after(async () => {
    await stack.stop();
  });

  it('listJobs follows next_cursor across pages, newest first', async () => {
    const pages: string[][] = [];
    for await (const page of client.listJobs({ limit: 2, status: 'queued' })) {
      assert.equal(page.active_count, 5);
      pages.push(page.jobs.map((job) => job.job_id));
    }
    assert.ok(pages.length >= 3, `pages: ${pages.length}`);
    assert.ok(pages.every((ids) => ids.length <= 2));
    assert.deepEqual(pages.flat(), [...submitted].reverse());
  });

  it('listJobs with since lists changes oldest first', async () => {
    const ids: string[] = [];
    for await (const page of client.listJobs({ since: new Date(Date.now() - 60_000), limit: 3 }))
      ids.push(...page.jobs.map((job) => job.job_id));
    assert.deepEqual(ids, submitted);
  });

  it('listJobs refuses a bad limit with INVALID_QUERY', async () => {
    const pages = client.listJobs({ limit: 0 });
    await assert.rejects(pages.next(), (error: unknown) => {
      assert.ok(error instanceof PodpdfApiError);
      assert.equal(error.code, 'INVALID_QUERY');
      return true;
    });
  });

  it('waitForJob stops when its signal aborts', async () => {
    const controller = new AbortController();
    let polls = 0;
    const waiting = client.waitForJob(submitted[0] as string, {
      signal: controller.signal,
      intervalMs: 20,
      onPoll: (job) => {
        assert.equal(job.status, 'queued');
        polls += 1;
        if (polls === 3) controller.abort(new Error('enough'));
      },
    });
    await assert.rejects(waiting, { message: 'enough' });
    assert.equal(polls, 3);
  });

  it('cancelJob cancels a queued job; a second cancel is JOB_NOT_CANCELLABLE', async () => {
    const id = submitted[1] as string;
    const cancelled = await client.cancelJob(id);
    assert.equal(cancelled.status, 'cancelled');
    assert.equal((await client.waitForJob(id)).status, 'cancelled');
    await assert.rejects(client.cancelJob(id), (error: unknown) => {
      assert.ok(error instanceof PodpdfApiError);
      assert.equal(error.code, 'JOB_NOT_CANCELLABLE');
      assert.equal(error.status, 409);
      assert.deepEqual(error.details, { status: 'cancelled' });
      return true;
    });
  });
});
