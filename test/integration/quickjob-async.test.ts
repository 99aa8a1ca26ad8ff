import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { getJob } from '../../src/adapters/jobs-table.ts';
import type { JobView } from '../../src/app/jobs.ts';
import { checkAnswer } from '../helpers/contract.ts';
import { parsePdf } from '../helpers/pdf.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';
import { eventually } from '../helpers/webhook-receiver.ts';

// A short cap keeps the test fast; the code path is the same as with the real 30 s.
const CAP_MS = 4_000;

/** Cheap to render, but each image costs the estimate enough to exceed the quick budget. */
const TOO_COMPLEX = { input_type: 'html', html: `<p>many images</p>${'<img alt="">'.repeat(13_000)}` };
/** Slower than the quick deadline, well within a long job's. */
const SLOW = { input_type: 'html', html: '<p>slow but sure</p>', options: { waitDelay: 5_000 } };
const ASYNC = { prefer: 'respond-async' };

interface Accepted {
  job_id: string;
  status: string;
  message: string;
  estimated_completion: string | null;
}

describe('POST /quickjob with Prefer: respond-async', () => {
  let stack: TestStack;
  before(async () => {
    stack = await startTestStack({
      apiKeys: ['async-key-a', 'async-key-b'],
      env: { PODPDF_QUICKJOB_TIMEOUT_MS: String(CAP_MS) },
    });
  });
  after(async () => {
    await stack.stop();
  });

  const pdfsUsed = async (apiKey = stack.apiKey): Promise<number> => {
    const res = await stack.call('GET', '/accounts/me', { apiKey });
    return ((await res.json()) as { usage: { pdfs_used: number } }).usage.pdfs_used;
  };

  /** Polls the job until it is final and returns its view, then its PDF's page texts. */
  const completed = async (jobId: string): Promise<{ view: JobView; texts: string[] }> => {
    const view = await eventually(
      async () => {
        const v = (await (await stack.call('GET', `/jobs/${jobId}`)).json()) as JobView;
        return v.status === 'completed' || v.status === 'failed' ? v : undefined;
      },
      120_000,
      `job ${jobId} to finish`,
    );
    assert.equal(view.status, 'completed', `job ended ${view.status} (${view.error_code})`);
    const pdf = await fetch(view.s3_url ?? '');
    assert.equal(pdf.status, 200);
    return { view, texts: (await parsePdf(new Uint8Array(await pdf.arrayBuffer()))).pageTexts };
  };

  const assertAccepted = async (res: Response): Promise<Accepted> => {
    assert.equal(res.status, 202);
    assert.equal(res.headers.get('preference-applied'), 'respond-async');
    // As openapi.json documents it: status, headers and body.
    const body = (await checkAnswer('POST', '/quickjob', res)) as Accepted;
    assert.deepEqual(Object.keys(body).sort(), ['estimated_completion', 'job_id', 'message', 'status']);
    // A replay answers with the original job's status as it is now.
    if (!res.headers.get('idempotent-replayed')) assert.equal(body.status, 'queued');
    assert.equal(res.headers.get('location'), `/jobs/${body.job_id}`);
    assert.equal(res.headers.get('x-job-id'), body.job_id);
    return body;
  };

  it('answers a document too complex for the estimate with 202 and a long job that completes', async () => {
    const longjob = await stack.post('/longjob', TOO_COMPLEX);
    assert.equal(longjob.status, 202);
    const longjobKeys = Object.keys((await longjob.json()) as object).sort();

    const before = await pdfsUsed();
    const res = await stack.post('/quickjob', TOO_COMPLEX, { prefer: 'wait=10, Respond-Async' });
    const body = await assertAccepted(res);
    assert.deepEqual(Object.keys(body).sort(), longjobKeys);
    assert.equal(await pdfsUsed(), before + 1);

    const { view, texts } = await completed(body.job_id);
    assert.equal(view.job_type, 'long');
    assert.match(texts[0] ?? '', /many images/);
    // The PDF is the one counted when the request was admitted.
    assert.equal(await pdfsUsed(), before + 1);

    // Without the preference nothing changes: 422, no job.
    const sync = await stack.post('/quickjob', TOO_COMPLEX);
    assert.equal(sync.status, 422);
    assert.equal(sync.headers.get('preference-applied'), null);
    assert.equal(sync.headers.get('x-job-id'), null);
    assert.equal(((await sync.json()) as { error: { code: string } }).error.code, 'QUICKJOB_TOO_COMPLEX');
    // Nor does a Prefer header without respond-async.
    const other = await stack.post('/quickjob', TOO_COMPLEX, { prefer: 'return=minimal' });
    assert.equal(other.status, 422);
  });

  it('answers a render past the quick deadline with 202; the long job renders it within its own deadline', async () => {
    const before = await pdfsUsed();
    const started = Date.now();
    const res = await stack.post('/quickjob', SLOW, ASYNC);
    assert.ok(Date.now() - started < CAP_MS + 3_000, `answered after ${Date.now() - started} ms`);
    const body = await assertAccepted(res);
    assert.equal(await pdfsUsed(), before + 1);

    // The quick attempt keeps its row, a timeout pointing at the long job.
    const list = (await (await stack.call('GET', '/jobs?limit=20')).json()) as { jobs: JobView[] };
    const quick = list.jobs.find((j) => j.job_type === 'quick' && j.status === 'timeout');
    assert.ok(quick, 'the quick attempt is listed');
    const row = await getJob(quick.job_id);
    assert.equal(row?.error_code, 'QUICKJOB_TIMEOUT');
    assert.equal(row?.continued_as, body.job_id);
    assert.equal(quick.continued_as, body.job_id, 'the job view names it too');

    const { texts } = await completed(body.job_id);
    assert.deepEqual(texts, ['slow but sure']);
    assert.equal(await pdfsUsed(), before + 1);

    // Without the preference: 408 as before.
    const sync = await stack.post('/quickjob', SLOW);
    assert.equal(sync.status, 408);
    assert.equal(sync.headers.get('preference-applied'), null);
    assert.equal(((await sync.json()) as { error: { code: string } }).error.code, 'QUICKJOB_TIMEOUT');
    assert.equal((await getJob(sync.headers.get('x-job-id') ?? ''))?.continued_as, undefined);
  });

  it('gives the long job to the caller only', async () => {
    const res = await stack.post('/quickjob', TOO_COMPLEX, ASYNC);
    const { job_id: jobId } = await assertAccepted(res);
    const own = await stack.call('GET', `/jobs/${jobId}`);
    assert.equal(own.status, 200);
    const other = await stack.call('GET', `/jobs/${jobId}`, { apiKey: stack.apiKeys[1] });
    assert.equal(other.status, 404);
    const cancel = await stack.call('DELETE', `/jobs/${jobId}`, { apiKey: stack.apiKeys[1] });
    assert.equal(cancel.status, 404);
  });

  it('passes the Idempotency-Key on: a retry gets the same job and counts no second PDF', async () => {
    const key = randomUUID();
    const before = await pdfsUsed();
    const first = await assertAccepted(
      await stack.post('/quickjob', TOO_COMPLEX, { ...ASYNC, 'idempotency-key': key }),
    );
    const retry = await stack.post('/quickjob', TOO_COMPLEX, { ...ASYNC, 'idempotency-key': key });
    assert.equal(retry.headers.get('idempotent-replayed'), 'true');
    assert.equal((await assertAccepted(retry)).job_id, first.job_id);
    assert.equal(await pdfsUsed(), before + 1);
  });
});
