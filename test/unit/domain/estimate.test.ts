import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ESTIMATE_COEFFICIENTS, estimateRenderMs } from '../../../src/domain/estimate.ts';
import { QUICKJOB_ESTIMATE_LIMIT_MS } from '../../../src/domain/limits.ts';

describe('quick-job estimate', () => {
  it('counts blocks, table rows and images', () => {
    const { factors } = estimateRenderMs(
      '<table><tr><td>a</td></tr><TR class="x"><td>b</td></tr></table><p>x<img src="y"><IMG>',
    );
    assert.deepEqual(factors, { blocks: 4, table_rows: 2, images: 2 });
  });

  it('adds up the documented coefficients', () => {
    const { estimatedMs } = estimateRenderMs('<p>x</p>'.repeat(2000));
    const c = ESTIMATE_COEFFICIENTS;
    assert.equal(estimatedMs, c.baseMs + 2000 * c.perBlockMs + 2 ** 3 * c.perKiloBlockCubedMs);
  });

  it('ignores text volume and passes ordinary documents', () => {
    assert.ok(estimateRenderMs(`<p>${'word '.repeat(200_000)}</p>`).estimatedMs < 1000);
    assert.ok(
      estimateRenderMs(`<h1>Invoice</h1><table>${'<tr><td>item</td></tr>'.repeat(200)}`).estimatedMs < 1000,
    );
  });

  it('stops documents with tens of thousands of blocks', () => {
    assert.ok(estimateRenderMs('<p>x</p>'.repeat(40_000)).estimatedMs > QUICKJOB_ESTIMATE_LIMIT_MS);
    assert.ok(
      estimateRenderMs(`<table>${'<tr><td>1</td></tr>'.repeat(60_000)}`).estimatedMs >
        QUICKJOB_ESTIMATE_LIMIT_MS,
    );
  });
});
