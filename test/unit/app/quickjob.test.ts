import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { fakeJobs } from './fakes.ts';

const { usePorts } = await import('../../../src/app/ports.ts');
const { useRenderer } = await import('../../../src/app/render-port.ts');
const { runQuickjob } = await import('../../../src/app/quickjob.ts');
const { errors } = await import('../../../src/domain/errors.ts');
const { quickjobRequestSchema } = await import('../../../src/domain/render-request.ts');
const { RenderCrashError } = await import('../../../src/renderer/render.ts');
const { Timings } = await import('../../../src/util/timings.ts');

const request = quickjobRequestSchema.parse({ input_type: 'html', html: '<p>x</p>' });

describe('runQuickjob and its admission', () => {
  const restores: Array<() => void> = [];
  afterEach(() => {
    for (const restore of restores.splice(0)) restore();
  });

  const run = (admission: Promise<unknown>) => {
    const store = fakeJobs();
    restores.push(usePorts({ jobs: store.jobs }));
    const context = {
      jobId: 'job-1',
      startedAt: Date.now(),
      remainingMs: 29_000,
      estimate: undefined,
      timings: new Timings(),
      admission,
      onRecorded: () => undefined,
    };
    return { store, result: runQuickjob({ user_id: 'acct-a' }, request, context) };
  };

  it('answers a refused request as refused, with no job, even when its render failed first', async () => {
    restores.push(
      useRenderer(async () => {
        throw new RenderCrashError('Target closed');
      }),
    );
    const refused = errors.rateLimited(1, { rate_per_s: 10, burst: 20 });
    const { store, result } = run(Promise.reject(refused));
    await assert.rejects(result, (err) => err === refused);
    assert.equal(store.rows.size, 0);
  });

  it('renders while the admission runs, and throws the PDF away when it is refused: no job', async () => {
    let rendered = 0;
    restores.push(
      useRenderer(async () => {
        rendered += 1;
        return {
          file: { byteLength: 5, bytes: new Uint8Array(5), base64: '' } as never,
          pages: 1,
          truncated: false,
        };
      }),
    );
    const refused = errors.quotaExceeded(6, '2027-01-01T00:00:00.000Z');
    let refuse: (reason: unknown) => void = () => undefined;
    const { store, result } = run(new Promise((_, reject) => (refuse = reject)));
    // The render does not wait for the admission: it is done before the answer comes.
    while (rendered === 0) await new Promise((resolve) => setImmediate(resolve));
    refuse(refused);
    await assert.rejects(result, (err) => err === refused);
    assert.equal(store.rows.size, 0);
  });

  it('records the failure of an admitted request', async () => {
    restores.push(
      useRenderer(async () => {
        throw new RenderCrashError('Target closed');
      }),
    );
    const { store, result } = run(Promise.resolve({ period: '2026-12' }));
    await assert.rejects(result, { code: 'RENDER_FAILED' });
    assert.equal(store.rows.get('job-1')?.status, 'failed');
  });
});
