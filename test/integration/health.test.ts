import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestStack, type TestStack } from '../helpers/stack.ts';

describe('GET /health', () => {
  let stack: TestStack;
  before(async () => {
    stack = await startTestStack();
  });
  after(async () => {
    await stack.stop();
  });

  it('answers anyone with its version and stage', async () => {
    const res = await fetch(`${stack.url}/health`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await res.json(), { status: 'ok', version: '0.1.0', stage: 'local' });
  });

  it('checks DynamoDB, S3, SQS and Chromium for a caller with a key', async () => {
    assert.equal((await fetch(`${stack.url}/health?deep=true`)).status, 401);
    const res = await stack.call('GET', '/health?deep=true');
    assert.equal(res.status, 200);
    const body = (await res.json()) as {
      status: string;
      checks: Record<string, { ok: boolean; ms: number }>;
    };
    assert.equal(body.status, 'ok');
    assert.deepEqual(Object.keys(body.checks).sort(), ['dynamodb', 'renderer', 's3', 'sqs']);
    for (const [name, check] of Object.entries(body.checks)) assert.equal(check.ok, true, name);
  });
});
