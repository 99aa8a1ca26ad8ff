import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMPLETION_DEFAULTS, estimateCompletion } from '../../../src/domain/completion-estimate.ts';

describe('estimated completion', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('uses the default render time for a new account and an empty queue', () => {
    const at = estimateCompletion({ now, queueDepth: 1, recentRenderMs: [], parallelism: 10 });
    assert.equal(at.getTime(), now + COMPLETION_DEFAULTS.pickupMs + COMPLETION_DEFAULTS.renderMs);
  });

  it('spreads the queue over the parallel processors at the recent average render time', () => {
    const at = estimateCompletion({ now, queueDepth: 26, recentRenderMs: [1000, 3000], parallelism: 10 });
    // 26 jobs (the new one included) over 10 processors: 3 rounds of 2 s.
    assert.equal(at.getTime(), now + COMPLETION_DEFAULTS.pickupMs + 3 * 2000);
  });
});
