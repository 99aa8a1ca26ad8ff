import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderFailure } from '../../../src/app/render-failure.ts';
import {
  BrowserLaunchError,
  ImageTooLargeError,
  PageRangeError,
  RenderCrashError,
  RenderMemoryError,
  RenderTimeoutError,
} from '../../../src/renderer/render.ts';

const quick = { pageRanges: '7', quickjob: { capMs: 30_000, budgetMs: 27_500 } };
const long = { pageRanges: '7' };

describe('renderFailure: one mapping for quick and long jobs', () => {
  it('a timeout is final; a quick job answers 408 with its budget, a long job stores RENDER_TIMEOUT', () => {
    const q = renderFailure(new RenderTimeoutError('late'), quick);
    assert.deepEqual(
      [q.error.code, q.error.status, q.final, q.timedOut],
      ['QUICKJOB_TIMEOUT', 408, true, true],
    );
    assert.deepEqual(q.error.details, { timeout_ms: 30_000, render_budget_ms: 27_500, use: '/longjob' });
    const l = renderFailure(new RenderTimeoutError('late'), long);
    assert.deepEqual([l.error.code, l.final, l.timedOut], ['RENDER_TIMEOUT', true, true]);
  });

  it("the document's own failures are final and read the same on both paths", () => {
    const cases: Array<[Error, string, number]> = [
      [new PageRangeError('page range exceeds page count'), 'INVALID_PAGE_RANGES', 400],
      [new RenderMemoryError('cap'), 'RENDER_MEMORY_EXCEEDED', 422],
      [
        new ImageTooLargeError(
          { url: 'https://a.example/x.png', format: 'PNG', width: 9e3, height: 9e3 },
          1,
          81e6,
        ),
        'IMAGE_TOO_LARGE',
        422,
      ],
    ];
    for (const [err, code, status] of cases) {
      const q = renderFailure(err, quick);
      const l = renderFailure(err, long);
      assert.deepEqual([q.error.code, q.error.status, q.final, q.timedOut], [code, status, true, false]);
      assert.equal(l.error.message, q.error.message, `${code}: one message for both paths`);
      assert.equal(l.final, true);
    }
    assert.match(renderFailure(new PageRangeError('x'), long).error.message, /"7" selects no page/);
  });

  it('Chromium crashing or not starting is not final: a long job is delivered again', () => {
    const crash = renderFailure(new RenderCrashError('Target closed'), long);
    assert.deepEqual([crash.error.code, crash.error.status, crash.final], ['RENDER_FAILED', 502, false]);
    assert.doesNotMatch(crash.error.message, /Target closed/);
    const launch = renderFailure(new BrowserLaunchError('no binary'), quick);
    assert.deepEqual(
      [launch.error.code, launch.error.status, launch.final],
      ['RENDERER_UNAVAILABLE', 503, false],
    );
    assert.equal(renderFailure(new Error('anything else'), quick).error.code, 'RENDER_FAILED');
  });
});
