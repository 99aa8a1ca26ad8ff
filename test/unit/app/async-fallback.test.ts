import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { fakeJobs } from './fakes.ts';

const { usePorts } = await import('../../../src/app/ports.ts');
const { useRenderer } = await import('../../../src/app/render-port.ts');
const { ASYNC_SUBMIT_RESERVE_MS, runQuickjob } = await import('../../../src/app/quickjob.ts');
const { preflightQuickjob } = await import('../../../src/app/async-fallback.ts');
const { errors } = await import('../../../src/domain/errors.ts');
const { RESPONSE_RESERVE_MS } = await import('../../../src/domain/limits.ts');
const { quickjobRequestSchema } = await import('../../../src/domain/render-request.ts');
const { RenderCrashError, RenderTimeoutError } = await import('../../../src/renderer/render.ts');
const { Timings } = await import('../../../src/util/timings.ts');

const request = quickjobRequestSchema.parse({ input_type: 'html', html: '<p>x</p>' });
const tooComplex = quickjobRequestSchema.parse({ input_type: 'html', html: '<p>x</p>'.repeat(40_000) });

describe('preflightQuickjob', () => {
  it('continues a document over the estimate as a long job only when the client prefers it', () => {
    assert.deepEqual(preflightQuickjob(tooComplex, true), { estimate: undefined, continueAsLongjob: true });
    assert.throws(() => preflightQuickjob(tooComplex, false), { code: 'QUICKJOB_TOO_COMPLEX' });
    const fits = preflightQuickjob(request, true);
    assert.equal(fits.continueAsLongjob, false);
    assert.ok(fits.estimate);
  });
});

describe('runQuickjob with continueAsync', () => {
  const restores: Array<() => void> = [];
  afterEach(() => {
    for (const restore of restores.splice(0)) restore();
  });

  const events: unknown[] = [];
  const run = (renderError: Error, continueAsync?: () => Promise<string>) => {
    const store = fakeJobs();
    const deadlines: number[] = [];
    restores.push(
      usePorts({ jobs: store.jobs, analytics: { recordEvent: async (e) => void events.push(e) } }),
      useRenderer(async (_input, _options, limits) => {
        deadlines.push(limits.deadline);
        throw renderError;
      }),
    );
    const startedAt = Date.now();
    const result = runQuickjob({ user_id: 'acct-a' }, request, {
      jobId: 'job-1',
      startedAt,
      remainingMs: 29_000,
      estimate: undefined,
      timings: new Timings(),
      admission: Promise.resolve({ period: '2026-12' }),
      onRecorded: () => undefined,
      ...(continueAsync ? { continueAsync } : {}),
    });
    return { store, result, deadlines, startedAt };
  };

  it('submits the long job at the deadline and names it in the timeout row', async () => {
    const { store, result, deadlines, startedAt } = run(new RenderTimeoutError('late'), async () => 'long-1');
    await assert.rejects(result, { code: 'QUICKJOB_TIMEOUT' });
    const row = store.rows.get('job-1');
    assert.equal(row?.status, 'timeout');
    assert.equal(row?.continued_as, 'long-1');
    // The submission's time is kept back from the render's.
    assert.equal(deadlines[0], startedAt + 29_000 - RESPONSE_RESERVE_MS - ASYNC_SUBMIT_RESERVE_MS);
  });

  it('answers the submission error when no long job was accepted; the row stays a plain timeout', async () => {
    const refused = errors.tooManyActiveJobs(1);
    const { store, result } = run(new RenderTimeoutError('late'), async () => {
      throw refused;
    });
    await assert.rejects(result, (err) => err === refused);
    assert.equal(store.rows.get('job-1')?.status, 'timeout');
    assert.equal(store.rows.get('job-1')?.continued_as, undefined);
  });

  it('does not continue a render that failed for another reason', async () => {
    let submitted = 0;
    const { store, result } = run(new RenderCrashError('Target closed'), async () => {
      submitted += 1;
      return 'long-1';
    });
    await assert.rejects(result, { code: 'RENDER_FAILED' });
    assert.equal(submitted, 0);
    assert.equal(store.rows.get('job-1')?.status, 'failed');
  });

  it('keeps the usual deadline without the preference', async () => {
    const { result, deadlines, startedAt } = run(new RenderTimeoutError('late'));
    await assert.rejects(result, { code: 'QUICKJOB_TIMEOUT' });
    assert.equal(deadlines[0], startedAt + 29_000 - RESPONSE_RESERVE_MS);
  });
});
