import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import './fakes.ts';

const { usePorts } = await import('../../../src/app/ports.ts');
const { whileStoring } = await import('../../../src/app/job-stage.ts');

describe('whileStoring', () => {
  let restore: () => void = () => undefined;
  afterEach(() => restore());

  const marks = () => {
    const marked: string[] = [];
    let fail = false;
    restore = usePorts({
      jobs: {
        markStoring: async (jobId, token) => {
          marked.push(`${jobId}:${token}`);
          if (fail) throw new Error('DynamoDB down');
          return undefined;
        },
      },
    });
    return { marked, failing: () => (fail = true) };
  };

  it('costs no write when the upload ends before the threshold', async () => {
    const { marked } = marks();
    assert.equal(await whileStoring('job', 'tok', async () => 'key', 50), 'key');
    await sleep(80);
    assert.deepEqual(marked, []);
  });

  it('marks the job storing once when the upload outlasts the threshold, before it returns', async () => {
    const { marked } = marks();
    const key = await whileStoring('job', 'tok', () => sleep(60).then(() => 'key'), 10);
    assert.equal(key, 'key');
    assert.deepEqual(marked, ['job:tok']);
  });

  it('uploads anyway when the mark cannot be written, and passes on an upload error', async () => {
    const env = marks();
    env.failing();
    assert.equal(await whileStoring('job', 'tok', () => sleep(30).then(() => 'key'), 5), 'key');
    await assert.rejects(
      whileStoring('job', 'tok', () => Promise.reject(new Error('S3 down')), 5),
      /S3 down/,
    );
  });
});
