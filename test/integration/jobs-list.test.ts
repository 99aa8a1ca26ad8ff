import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Context } from 'aws-lambda';
import { getDocumentClient } from '../../src/adapters/dynamodb.ts';
import { MAX_LISTING_QUERIES } from '../../src/adapters/jobs-listing.ts';
import {
  claimJob,
  completeJob,
  getJob,
  insertJob,
  markStoring,
  OWNER_CREATED_INDEX,
  requeueJob,
  undoRetry,
} from '../../src/adapters/jobs-table.ts';
import type { JobStatus } from '../../src/domain/job.ts';
import { handler as processor } from '../../src/handlers/processor.ts';
import { getRenderCount } from '../../src/renderer/render.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';

interface JobList {
  jobs: Array<{ job_id: string; status: string; created_at: string; updated_at: string }>;
  next_cursor: string | null;
  next_since: string | null;
  active_count: number;
}

// No queue pollers: submitted jobs stay queued, so lists and counts are exact.
describe('GET /jobs, DELETE /jobs/{job_id}', () => {
  let stack: TestStack;
  const submitted: string[] = [];

  before(async () => {
    stack = await startTestStack({ apiKeys: ['list-key-a', 'list-key-b', 'list-key-c'], pollQueues: false });
    for (let i = 0; i < 5; i += 1) {
      const res = await stack.call('POST', '/longjob', {
        body: { input_type: 'html', html: `<p>job ${i}</p>` },
      });
      assert.equal(res.status, 202);
      submitted.push(((await res.json()) as { job_id: string }).job_id);
      await new Promise((resolve) => setTimeout(resolve, 5)); // distinct created_at
    }
    const quick = await stack.call('POST', '/longjob', {
      apiKey: 'list-key-b',
      body: { input_type: 'html', html: '<p>other account</p>' },
    });
    assert.equal(quick.status, 202);
  });
  after(async () => {
    await stack.stop();
  });

  const list = async (query: string, apiKey?: string) => {
    const res = await stack.call('GET', `/jobs${query}`, apiKey ? { apiKey } : {});
    return {
      status: res.status,
      body: (await res.json()) as JobList & { error?: { code: string; message: string; details: unknown } },
    };
  };

  /** Every page of `query`, following next_cursor, with the OwnerCreatedAtIndex Queries each page cost. */
  const allPages = async (query: string, apiKey: string) => {
    const client = getDocumentClient();
    let queries = 0;
    client.middlewareStack.add(
      (next) => async (args) => {
        if ((args.input as { IndexName?: string }).IndexName === OWNER_CREATED_INDEX) queries += 1;
        return next(args);
      },
      { step: 'initialize', name: 'countListingQueries' },
    );
    const ids: string[] = [];
    const queriesPerPage: number[] = [];
    try {
      let cursor: string | null = null;
      do {
        const before = queries;
        const { status, body } = await list(
          `${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          apiKey,
        );
        assert.equal(status, 200);
        queriesPerPage.push(queries - before);
        ids.push(...body.jobs.map((j) => j.job_id));
        cursor = body.next_cursor;
      } while (cursor && queriesPerPage.length < 200);
    } finally {
      client.middlewareStack.remove('countListingQueries');
    }
    return { ids, queriesPerPage };
  };

  it('pages newest first with an opaque cursor and counts active jobs', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const { status, body } = await list(`?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assert.equal(status, 200);
      assert.ok(body.jobs.length <= 2);
      assert.equal(body.active_count, 5);
      seen.push(...body.jobs.map((j) => j.job_id));
      cursor = body.next_cursor;
      pages += 1;
    } while (cursor && pages < 10);
    assert.deepEqual(seen, [...submitted].reverse());
    assert.equal(pages, 3);
  });

  it('filters by status and refuses bad queries and foreign cursors', async () => {
    const queued = await list('?status=queued&limit=100');
    assert.equal(queued.body.jobs.length, 5);
    assert.equal((await list('?status=completed')).body.jobs.length, 0);
    for (const query of ['?limit=0', '?limit=101', '?status=done', '?color=red']) {
      const { status, body } = await list(query);
      assert.equal(status, 400, query);
      assert.equal(body.error?.code, 'INVALID_QUERY');
    }
    const page = await list('?limit=1');
    const cursor = page.body.next_cursor ?? '';
    const foreign = await list(`?cursor=${encodeURIComponent(cursor)}`, 'list-key-b');
    assert.equal(foreign.status, 400);
    assert.equal(foreign.body.error?.code, 'INVALID_CURSOR');
    assert.equal((await list('?cursor=garbage')).body.error?.code, 'INVALID_CURSOR');
    assert.equal((await list('', 'list-key-b')).body.jobs.length, 1);
  });

  it('refuses malformed, tampered and foreign cursors with 400 INVALID_CURSOR', async () => {
    const owner = stack.accounts[0]?.user_id;
    const unsigned = (key: Record<string, unknown>) => Buffer.from(JSON.stringify(key)).toString('base64url');
    const real = (await list('?limit=1')).body.next_cursor ?? '';
    const second = (await list(`?limit=1&cursor=${encodeURIComponent(real)}`)).body.next_cursor ?? '';
    const [payload = '', signature = ''] = real.split('.');
    const flipped = `${signature.slice(0, 20)}${signature[20] === 'A' ? 'B' : 'A'}${signature.slice(21)}`;
    const cases: Record<string, string> = {
      'empty job_id': unsigned({ owner, job_id: '', created_at: '2025-01-01T00:00:00.000Z' }),
      'huge created_at': unsigned({ owner, job_id: randomUUID(), created_at: 'x'.repeat(1400) }),
      'unsigned, well-formed': unsigned({
        owner,
        job_id: randomUUID(),
        created_at: '2025-01-01T00:00:00.000Z',
      }),
      'bad base64': '!!!not*base64!!!',
      'tampered signature': `${payload}.${flipped}`,
      'payload of another cursor': `${second.split('.')[0]}.${signature}`,
      truncated: real.slice(0, -1),
    };
    for (const [name, cursor] of Object.entries(cases)) {
      const { status, body } = await list(`?cursor=${encodeURIComponent(cursor)}`);
      assert.equal(status, 400, name);
      assert.deepEqual(
        body.error,
        { code: 'INVALID_CURSOR', message: 'The cursor is not one this API issued.', details: null },
        name,
      );
    }
    // Either way between two accounts, a cursor is refused: it only ever lists its own account's jobs.
    const ofB = (await list('?limit=1', 'list-key-b')).body.next_cursor;
    assert.ok(ofB);
    for (const [cursor, apiKey] of [
      [real, 'list-key-b'],
      [real, 'list-key-c'],
      [ofB, 'list-key-a'],
    ] as const) {
      const { status, body } = await list(`?cursor=${encodeURIComponent(cursor)}`, apiKey);
      assert.equal(status, 400, apiKey);
      assert.equal(body.error?.code, 'INVALID_CURSOR');
    }
    assert.equal((await list(`?cursor=${encodeURIComponent(real)}`)).status, 200);
  });

  it('pages a status filter over more jobs than one Query reads: each match once, few Queries a request', async () => {
    // 251 jobs of account C written straight to the table: every fifth failed, one timeout near the end.
    const owner = stack.accounts[2]?.user_id ?? '';
    const start = Date.parse('2024-06-01T00:00:00.000Z');
    const rows = Array.from({ length: 251 }, (_, i) => {
      const status: JobStatus = i === 240 ? 'timeout' : i % 5 === 0 ? 'failed' : 'completed';
      return {
        job_id: randomUUID(),
        owner,
        job_type: 'quick' as const,
        status,
        mode: 'html',
        created_at: new Date(start - i * 1000).toISOString(),
        ttl: Math.floor(Date.now() / 1000) + 86_400,
      };
    });
    await Promise.all(rows.map((row) => insertJob(row)));
    const idsOf = (status: JobStatus) => rows.filter((r) => r.status === status).map((r) => r.job_id);

    for (const limit of [7, 20, 100]) {
      const { ids, queriesPerPage } = await allPages(`?status=failed&limit=${limit}`, 'list-key-c');
      assert.deepEqual(ids, idsOf('failed'), `limit ${limit}`);
      assert.ok(Math.max(...queriesPerPage) <= MAX_LISTING_QUERIES, `limit ${limit}: ${queriesPerPage}`);
    }
    const sparse = await allPages('?status=timeout&limit=20', 'list-key-c');
    assert.deepEqual(sparse.ids, idsOf('timeout'));
    assert.ok(Math.max(...sparse.queriesPerPage) <= MAX_LISTING_QUERIES, String(sparse.queriesPerPage));
    const everything = await allPages('?limit=100', 'list-key-c');
    assert.deepEqual(
      everything.ids,
      rows.map((r) => r.job_id),
    );
    assert.ok(Math.max(...everything.queriesPerPage) <= 1, String(everything.queriesPerPage));
  });

  it('cancels a queued job once, and the processor skips it', async () => {
    const jobId = submitted[0] ?? '';
    const res = await stack.call('DELETE', `/jobs/${jobId}`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { status: string }).status, 'cancelled');
    const again = await stack.call('DELETE', `/jobs/${jobId}`);
    assert.equal(again.status, 409);
    const error = ((await again.json()) as { error: { code: string; details: { status: string } } }).error;
    assert.equal(error.code, 'JOB_NOT_CANCELLABLE');
    assert.equal(error.details.status, 'cancelled');
    assert.equal((await list('')).body.active_count, 4);
    assert.equal((await list('?status=cancelled')).body.jobs.length, 1);

    const renders = getRenderCount();
    const result = await processor(
      {
        Records: [
          {
            messageId: randomUUID(),
            receiptHandle: 'r',
            body: JSON.stringify({ job_id: jobId, owner: stack.accounts[0]?.user_id }),
            attributes: {
              ApproximateReceiveCount: '1',
              SentTimestamp: '0',
              SenderId: 't',
              ApproximateFirstReceiveTimestamp: '0',
            },
            messageAttributes: {},
            md5OfBody: '',
            eventSource: 'aws:sqs',
            eventSourceARN: 'arn',
            awsRegion: 'us-east-1',
          },
        ],
      },
      { getRemainingTimeInMillis: () => 60_000 } as Context,
    );
    assert.deepEqual(result.batchItemFailures, []);
    assert.equal(getRenderCount(), renders);
    assert.equal((await getJob(jobId))?.status, 'cancelled');
  });

  it('lists the changes since an instant, oldest first, for the caller only', async () => {
    const all = (await list('?limit=100')).body;
    assert.equal(all.next_since, null);
    for (const job of all.jobs) assert.ok(job.updated_at >= job.created_at, job.job_id);
    const oldest = all.jobs.map((j) => j.updated_at).sort()[0] ?? '';
    const changes = await list(`?since=${encodeURIComponent(oldest)}&limit=100`);
    assert.equal(changes.status, 200);
    const stamps = changes.body.jobs.map((j) => j.updated_at);
    assert.deepEqual(stamps, [...stamps].sort(), 'oldest change first');
    assert.deepEqual(new Set(changes.body.jobs.map((j) => j.job_id)), new Set(all.jobs.map((j) => j.job_id)));
    assert.equal(changes.body.active_count, all.active_count);
    assert.ok(changes.body.next_since && changes.body.next_since >= oldest);

    // A change moves a job past the newest updated_at a poller saw; since is inclusive.
    const newest = stamps.at(-1) ?? '';
    const target = submitted[1] ?? '';
    await new Promise((resolve) => setTimeout(resolve, 5));
    const cancelled = await stack.call('DELETE', `/jobs/${target}`);
    const view = (await cancelled.json()) as { updated_at: string; status: string };
    assert.equal(view.status, 'cancelled');
    assert.ok(view.updated_at > newest);
    const after = (await list(`?since=${encodeURIComponent(newest)}`)).body;
    assert.equal(after.jobs.at(-1)?.job_id, target);
    assert.equal(after.jobs.at(-1)?.updated_at, view.updated_at);
    assert.ok(after.jobs.every((j) => j.updated_at >= newest));
    const single = (await stack.call('GET', `/jobs/${target}`)) as Response;
    assert.equal(((await single.json()) as { updated_at: string }).updated_at, view.updated_at);

    // Another account's since= lists its own job only; an offset is read as the instant it names.
    const ofB = (await list('?since=2000-01-01T01:00:00%2B01:00', 'list-key-b')).body;
    assert.equal(ofB.jobs.length, 1);
    assert.ok(!all.jobs.some((j) => j.job_id === ofB.jobs[0]?.job_id));
    assert.equal(
      (await list(`?since=${encodeURIComponent(view.updated_at)}`, 'list-key-b')).body.jobs.length,
      0,
    );

    // Pages of a since= listing, with a status filter, walk every match once.
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await list(
        `?since=${encodeURIComponent(oldest)}&status=queued&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      assert.equal(page.status, 200);
      ids.push(...page.body.jobs.map((j) => j.job_id));
      cursor = page.body.next_cursor;
    } while (cursor && ids.length < 20);
    assert.deepEqual(
      ids.sort(),
      all.jobs
        .filter((j) => j.status === 'queued' && j.job_id !== target)
        .map((j) => j.job_id)
        .sort(),
    );
  });

  it('refuses a bad since, and a cursor of the other kind of listing', async () => {
    for (const since of ['yesterday', '2025-13-01T00:00:00Z', '2025-05-01', '1746100000000', '']) {
      const { status, body } = await list(`?since=${encodeURIComponent(since)}`);
      assert.equal(status, 400, since);
      assert.equal(body.error?.code, 'INVALID_QUERY', since);
      assert.deepEqual(
        (body.error?.details as { issues: Array<{ path: string }> } | undefined)?.issues.map((i) => i.path),
        ['since'],
      );
    }
    const byCreation = (await list('?limit=1')).body.next_cursor ?? '';
    const since = '2000-01-01T00:00:00.000Z';
    const byChange = (await list(`?limit=1&since=${since}`)).body.next_cursor ?? '';
    assert.ok(byCreation && byChange);
    assert.equal(
      (await list(`?since=${since}&cursor=${encodeURIComponent(byCreation)}`)).body.error?.code,
      'INVALID_CURSOR',
    );
    assert.equal((await list(`?cursor=${encodeURIComponent(byChange)}`)).body.error?.code, 'INVALID_CURSOR');
    assert.equal((await list(`?since=${since}&cursor=${encodeURIComponent(byChange)}`)).status, 200);
  });

  it('shows the account without its secret and manages the webhook', async () => {
    const me = (await (await stack.call('GET', '/accounts/me')).json()) as Record<string, unknown>;
    assert.equal(me.user_id, stack.accounts[0]?.user_id);
    assert.deepEqual(me.webhook, { url: null, signing_secret_set: false, disabled: null });
    const put = await stack.call('PUT', '/accounts/me/webhook', { body: { url: 'http://127.0.0.1:9/hook' } });
    const { signing_secret } = (await put.json()) as { signing_secret: string };
    assert.match(signing_secret, /^whsec_/);
    const second = (await (
      await stack.call('PUT', '/accounts/me/webhook', { body: { url: 'http://localhost:9/h' } })
    ).json()) as {
      signing_secret: string | null;
    };
    assert.equal(second.signing_secret, null, 'the secret is shown once');
    const text = await (await stack.call('GET', '/accounts/me')).text();
    assert.doesNotMatch(text, /whsec_/);
    assert.deepEqual((JSON.parse(text) as { webhook: unknown }).webhook, {
      url: 'http://localhost:9/h',
      signing_secret_set: true,
      disabled: null,
    });
    const rotated = (await (await stack.call('POST', '/accounts/me/webhook/rotate-secret')).json()) as {
      signing_secret: string;
    };
    assert.notEqual(rotated.signing_secret, signing_secret);
    assert.equal((await stack.call('DELETE', '/accounts/me/webhook')).status, 204);
    const after = (await (await stack.call('GET', '/accounts/me')).json()) as { webhook: unknown };
    assert.deepEqual(after.webhook, { url: null, signing_secret_set: true, disabled: null });
  });

  it('refuses a per-job webhook before the account has a signing secret', async () => {
    const res = await stack.call('POST', '/longjob', {
      apiKey: 'list-key-b',
      body: { input_type: 'html', html: '<p>x</p>', webhook_url: 'http://127.0.0.1:9/hook' },
    });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: { message: string } }).error.message, /rotate-secret/);
  });

  it('writes retry, its undo and the stages with conditions DynamoDB accepts', async () => {
    const owner = stack.accounts[0]?.user_id ?? '';
    const jobId = randomUUID();
    const failed = {
      job_id: jobId,
      owner,
      job_type: 'long' as const,
      status: 'failed' as const,
      mode: 'html',
      created_at: new Date().toISOString(),
      completed_at: new Date().toISOString(),
      error_code: 'RENDER_TIMEOUT' as const,
      error_message: 'slow',
      webhook_url: 'https://hooks.example/x',
      webhook_delivered: false,
      webhook_retry_count: 3,
      webhook_retry_log: [{ at: new Date().toISOString(), attempt: 1, error: 'refused', duration_ms: 3 }],
      ttl: Math.floor(Date.now() / 1000) + 86_400,
    };
    await insertJob(failed);
    const previous = await getJob(jobId);
    assert.ok(previous);
    assert.equal(await requeueJob(jobId, 'someone-else', 0, Date.now()), undefined);
    assert.equal(await requeueJob(jobId, owner, 1, Date.now()), undefined, 'retry_count as read');
    const queued = await requeueJob(jobId, owner, 0, Date.now());
    assert.equal(queued?.status, 'queued');
    assert.equal(queued?.retry_count, 1);
    assert.equal(queued?.active_owner, owner);
    assert.equal(queued?.webhook_retry_log, undefined);
    const undone = await undoRetry(jobId, previous, Date.now());
    const { updated_at: _was, ...unchanged } = previous;
    const { updated_at: now, ...restored } = undone ?? previous;
    assert.deepEqual(restored, unchanged);
    assert.ok((now ?? '') >= (previous.updated_at ?? ''));
    assert.equal(await undoRetry(jobId, previous, Date.now()), undefined, 'only while queued');

    // Claimed → rendering; a slow upload → storing; completed with the webhook pending → delivering.
    await requeueJob(jobId, owner, 0, Date.now());
    const view = async () =>
      (await (await stack.call('GET', `/jobs/${jobId}`)).json()) as { stage: string; progress: number };
    assert.deepEqual(await view(), { ...(await view()), stage: 'queued', progress: 0 });
    await claimJob(jobId, 'token', Date.now(), 60_000);
    assert.equal((await view()).stage, 'rendering');
    assert.equal(await markStoring(jobId, 'other-token'), undefined);
    assert.equal((await markStoring(jobId, 'token'))?.stage, 'storing');
    assert.equal((await view()).progress, 0.8);
    const done = await completeJob(
      jobId,
      'token',
      {
        pages: 1,
        truncated: false,
        s3_key: `pdfs/${jobId}.pdf`,
        s3_url: 'https://x',
        s3_url_expires_at: new Date().toISOString(),
        completed_at: new Date().toISOString(),
        duration_ms: 1,
        render_ms: 1,
      },
      { now: Date.now() },
    );
    assert.equal(done?.stage, undefined);
    assert.deepEqual(
      { stage: (await view()).stage, progress: (await view()).progress },
      { stage: 'delivering', progress: 0.95 },
    );
  });
});
