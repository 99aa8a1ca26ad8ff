import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getJob } from '../../src/adapters/jobs-table.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';

describe('POST /quickjob when Chromium cannot start', () => {
  let stack: TestStack;
  before(async () => {
    stack = await startTestStack({ env: { PODPDF_CHROMIUM_PATH: '/nonexistent/chromium' } });
  });
  after(async () => {
    await stack.stop();
  });

  it('answers 503 with a safe message and records the failed job', async () => {
    const res = await stack.post('/quickjob', { input_type: 'html', html: '<p>x</p>' });
    assert.equal(res.status, 503);
    const text = await res.text();
    const body = JSON.parse(text) as { error: { code: string; message: string; details: unknown } };
    assert.equal(body.error.code, 'RENDERER_UNAVAILABLE');
    assert.equal(body.error.details, null);
    assert.doesNotMatch(text, /nonexistent|\bat\s+\S+\s+\(|stack/i, 'no path or stack trace leaks');
    const row = await getJob(res.headers.get('x-job-id') ?? '');
    assert.equal(row?.status, 'failed');
    assert.equal(row?.error_code, 'RENDERER_UNAVAILABLE');
  });
});
