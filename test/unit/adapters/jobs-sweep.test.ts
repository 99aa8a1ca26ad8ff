import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ScanJobs, scanActiveJobs } from '../../../src/adapters/jobs-sweep.ts';
import { MESSAGE_RETENTION_MS } from '../../../src/app/sweeper.ts';
import { loadConfig } from '../../../src/config.ts';
import { loadServiceDefinition, queueDefinitions } from '../../../src/local/service-definition.ts';
import { FAKE_ENV } from '../app/fakes.ts';

/** A Scan over `rows` (index rows: keys and created_at), `pageSize` at a time, recording each input. */
const fakeScan = (rows: Array<Record<string, string>>, pageSize: number) => {
  const inputs: Array<Parameters<ScanJobs>[0]> = [];
  const scan: ScanJobs = async (input) => {
    inputs.push(input);
    const before = String(input.ExpressionAttributeValues?.[':before']);
    const from = input.ExclusiveStartKey ? Number(input.ExclusiveStartKey.n) : 0;
    const page = rows.slice(from, from + pageSize);
    const more = from + pageSize < rows.length;
    return {
      Items: page.filter((row) => String(row.created_at) < before),
      ...(more ? { LastEvaluatedKey: { n: from + pageSize } } : {}),
    };
  };
  return { scan, inputs };
};

const row = (i: number, createdAt: string) => ({
  job_id: `job-${i}`,
  active_owner: i % 2 ? 'acct-b' : 'acct-a',
  created_at: createdAt,
});

describe('scanActiveJobs', () => {
  it('scans the sparse active index page by page for jobs created before the cut-off', async () => {
    const rows = [
      row(0, '2030-01-01T00:00:00.000Z'),
      row(1, '2030-01-01T00:10:00.000Z'),
      row(2, '2029-12-31T23:00:00.000Z'),
    ];
    const { scan, inputs } = fakeScan(rows, 2);
    const found = await scanActiveJobs('2030-01-01T00:05:00.000Z', 100, scan);
    assert.deepEqual(found, [
      { job_id: 'job-0', owner: 'acct-a', created_at: '2030-01-01T00:00:00.000Z' },
      { job_id: 'job-2', owner: 'acct-a', created_at: '2029-12-31T23:00:00.000Z' },
    ]);
    assert.equal(inputs.length, 2);
    assert.ok(inputs.every((input) => input.IndexName === 'OwnerActiveIndex'));
  });

  it('stops at `max` jobs', async () => {
    const rows = Array.from({ length: 10 }, (_, i) => row(i, '2029-01-01T00:00:00.000Z'));
    const { scan, inputs } = fakeScan(rows, 3);
    assert.equal((await scanActiveJobs('2030-01-01T00:00:00.000Z', 4, scan)).length, 4);
    assert.equal(inputs.length, 2);
  });
});

describe('the sweeper matches the queue it backs up', () => {
  const [queue] = queueDefinitions(loadServiceDefinition('dev')).filter(
    (q) => q.logicalId === 'LongjobQueue',
  );

  it('gives up after the receives the queue allows, and counts on its retention', () => {
    assert.equal(loadConfig(FAKE_ENV).PODPDF_SWEEPER_MAX_ATTEMPTS, queue?.redrive?.maxReceiveCount);
    assert.equal(MESSAGE_RETENTION_MS, (queue?.retentionSeconds ?? 0) * 1000);
  });
});
