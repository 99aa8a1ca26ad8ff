import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SQSEvent } from 'aws-lambda';
import { processBatch } from '../../../src/queue/batch.ts';

process.env.PODPDF_LOG_LEVEL = 'silent';

const event = (...bodies: string[]): SQSEvent =>
  ({ Records: bodies.map((body, i) => ({ messageId: `m${i}`, body })) }) as unknown as SQSEvent;
/** Job ids are UUIDs; the name is kept in the last group so the handler can tell them apart. */
const ids = {
  ok: '00000000-0000-4000-8000-000000000001',
  throws: '00000000-0000-4000-8000-000000000002',
  retry: '00000000-0000-4000-8000-000000000003',
};
const nameOf = (jobId: string) => Object.entries(ids).find(([, id]) => id === jobId)?.[0];
const job = (name: keyof typeof ids) => JSON.stringify({ job_id: ids[name], owner: 'acct-a' });

describe('processBatch', () => {
  it('reports only the records to retry: a thrown record and a retry, not the good ones', async () => {
    const handled: string[] = [];
    const result = await processBatch(event(job('ok'), job('throws'), job('retry')), async (message) => {
      const name = nameOf(message.job_id) ?? '';
      handled.push(name);
      if (name === 'throws') throw new Error('DynamoDB unreachable');
      return name === 'retry' ? 'retry' : 'done';
    });
    assert.deepEqual(handled.sort(), ['ok', 'retry', 'throws']);
    assert.deepEqual(result.batchItemFailures.map((f) => f.itemIdentifier).sort(), ['m1', 'm2']);
  });

  it('sends a malformed body towards the dead-letter queue, or drops it there', async () => {
    const bodies = ['not json', JSON.stringify({ job: 'x' }), job('ok')];
    let calls = 0;
    const handle = async () => {
      calls += 1;
      return 'done' as const;
    };
    const retried = await processBatch(event(...bodies), handle);
    assert.deepEqual(retried.batchItemFailures.map((f) => f.itemIdentifier).sort(), ['m0', 'm1']);
    const dropped = await processBatch(event(...bodies), handle, 'drop');
    assert.deepEqual(dropped.batchItemFailures, []);
    assert.equal(calls, 2, 'only the well-formed record reached the handler, once per batch');
  });
});
