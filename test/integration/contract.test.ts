import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { openApiDocument } from '../../src/openapi/document.ts';
import { checkAnswer } from '../helpers/contract.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';
import { pollUntil } from '../helpers/tenants.ts';

type ErrorBody = { error: { code: string } };
type Job = { job_id: string; status: string };

/** The main endpoints through the local stack, each answer checked against openapi.json. */
describe('the API answers as openapi.json says', () => {
  let stack: TestStack;
  let longJobId = '';
  before(async () => {
    stack = await startTestStack({ queueVisibilityTimeoutSeconds: 5 });
  });
  after(async () => {
    await stack.stop();
  });

  it('serves the document itself at GET /openapi.json, without a key', async () => {
    const res = await fetch(`${stack.url}/openapi.json`);
    assert.deepEqual(await checkAnswer('GET', '/openapi.json', res), openApiDocument());
  });

  it('GET /health', async () => {
    const body = await checkAnswer('GET', '/health', await fetch(`${stack.url}/health`));
    assert.equal((body as { status: string }).status, 'ok');
  });

  it('POST /quickjob: the PDF with its headers, and the errors', async () => {
    const ok = await stack.post('/quickjob', { input_type: 'html', html: '<h1>Contract</h1>' });
    assert.equal(ok.status, 200);
    await checkAnswer('POST', '/quickjob', ok);
    assert.equal(ok.headers.get('x-pdf-pages'), '1');

    const invalid = await stack.post('/quickjob', { input_type: 'html', html: '', options: { scale: 5 } });
    assert.equal(invalid.status, 400);
    assert.equal(
      ((await checkAnswer('POST', '/quickjob', invalid)) as ErrorBody).error.code,
      'VALIDATION_FAILED',
    );

    const notJson = await stack.post('/quickjob', '{"input_type":');
    assert.equal(((await checkAnswer('POST', '/quickjob', notJson)) as ErrorBody).error.code, 'INVALID_JSON');

    const form = await stack.post('/quickjob', 'a=1', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    assert.equal(form.status, 415);
    await checkAnswer('POST', '/quickjob', form);

    const anonymous = await fetch(`${stack.url}/quickjob`, { method: 'POST' });
    assert.equal(anonymous.status, 401);
    await checkAnswer('POST', '/quickjob', anonymous);
  });

  it('POST /longjob 202, then GET /jobs/{job_id} until completed and its download', async () => {
    const res = await stack.post(
      '/longjob',
      { input_type: 'html', html: '<p>long</p>' },
      { 'idempotency-key': 'contract-1' },
    );
    assert.equal(res.status, 202);
    longJobId = ((await checkAnswer('POST', '/longjob', res)) as Job).job_id;
    const replay = await stack.post(
      '/longjob',
      { input_type: 'html', html: '<p>long</p>' },
      { 'idempotency-key': 'contract-1' },
    );
    assert.equal(((await checkAnswer('POST', '/longjob', replay)) as Job).job_id, longJobId);

    const completed = await pollUntil(
      async () => {
        const job = (await checkAnswer(
          'GET',
          '/jobs/{job_id}',
          await stack.call('GET', `/jobs/${longJobId}`),
        )) as Job;
        return job.status === 'completed' ? job : undefined;
      },
      60_000,
      'the long job to complete',
      250,
    );
    assert.equal(completed.job_id, longJobId);
    const download = await fetch(`${stack.url}/jobs/${longJobId}/download`, {
      headers: { authorization: `Bearer ${stack.apiKey}` },
      redirect: 'manual',
    });
    assert.equal(download.status, 302);
    await checkAnswer('GET', '/jobs/{job_id}/download', download);
  });

  it('the job routes answer their documented errors', async () => {
    const cancel = await stack.call('DELETE', `/jobs/${longJobId}`);
    assert.equal(
      ((await checkAnswer('DELETE', '/jobs/{job_id}', cancel)) as ErrorBody).error.code,
      'JOB_NOT_CANCELLABLE',
    );
    const retry = await stack.call('POST', `/jobs/${longJobId}/retry`);
    assert.equal(
      ((await checkAnswer('POST', '/jobs/{job_id}/retry', retry)) as ErrorBody).error.code,
      'JOB_NOT_RETRYABLE',
    );
    const redeliver = await stack.call('POST', `/jobs/${longJobId}/webhook/redeliver`);
    assert.equal(
      ((await checkAnswer('POST', '/jobs/{job_id}/webhook/redeliver', redeliver)) as ErrorBody).error.code,
      'NO_WEBHOOK',
    );
    const unknown = await stack.call('GET', `/jobs/${randomUUID()}`);
    assert.equal(
      ((await checkAnswer('GET', '/jobs/{job_id}', unknown)) as ErrorBody).error.code,
      'NOT_FOUND',
    );
  });

  it('GET /jobs, with and without since, and its query errors', async () => {
    const page = (await checkAnswer('GET', '/jobs', await stack.call('GET', '/jobs?limit=5'))) as {
      jobs: Job[];
    };
    assert.ok(page.jobs.some((job) => job.job_id === longJobId));
    await checkAnswer('GET', '/jobs', await stack.call('GET', '/jobs?since=2026-01-01T00:00:00Z'));
    const invalid = await stack.call('GET', '/jobs?limit=0&color=red');
    assert.equal(invalid.status, 400);
    assert.equal(((await checkAnswer('GET', '/jobs', invalid)) as ErrorBody).error.code, 'INVALID_QUERY');
  });

  it('GET /accounts/me and the webhook settings', async () => {
    await checkAnswer('GET', '/accounts/me', await stack.call('GET', '/accounts/me'));
    const set = await stack.call('PUT', '/accounts/me/webhook', { body: { url: 'http://127.0.0.1:9/hook' } });
    assert.equal(set.status, 200);
    await checkAnswer('PUT', '/accounts/me/webhook', set);
    await checkAnswer('GET', '/accounts/me', await stack.call('GET', '/accounts/me'));
    const refused = await stack.call('PUT', '/accounts/me/webhook', { body: { url: 'ftp://example.com/' } });
    assert.equal(refused.status, 400);
    await checkAnswer('PUT', '/accounts/me/webhook', refused);
    await checkAnswer(
      'POST',
      '/accounts/me/webhook/rotate-secret',
      await stack.call('POST', '/accounts/me/webhook/rotate-secret'),
    );
    const removed = await stack.call('DELETE', '/accounts/me/webhook');
    assert.equal(removed.status, 204);
    await checkAnswer('DELETE', '/accounts/me/webhook', removed);
  });

  it('429 with Retry-After once a source has sent too many requests without a valid key', async () => {
    const answers = await Promise.all(
      Array.from({ length: 30 }, () =>
        fetch(`${stack.url}/accounts/me`, { headers: { authorization: 'Bearer not-a-key' } }),
      ),
    );
    const limited = answers.find((res) => res.status === 429);
    assert.ok(limited, 'no 429 among 30 requests with a bad key');
    assert.equal(
      ((await checkAnswer('GET', '/accounts/me', limited)) as ErrorBody).error.code,
      'RATE_LIMITED',
    );
    const unauthorized = answers.find((res) => res.status === 401);
    assert.ok(unauthorized);
    await checkAnswer('GET', '/accounts/me', unauthorized);
  });
});
