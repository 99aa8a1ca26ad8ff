import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { estimateRenderMs } from '../../../src/domain/estimate.ts';
import { QUICKJOB_ESTIMATE_LIMIT_MS } from '../../../src/domain/limits.ts';

describe('quick-job estimate', () => {
  it('counts blocks, table rows, images and every element', () => {
    const { factors } = estimateRenderMs(
      '<table><tr><td>a</td></tr><TR class="x"><td>b</td></tr></table><p>x<img src="y"><IMG>',
    );
    assert.deepEqual(factors, { blocks: 4, table_rows: 2, images: 2, elements: 8, longest_inline_run: 2 });
  });

  it('gives the worked examples of SPEC.md and the code, worked out by hand', () => {
    // 150 base + 2,000 blocks × 0.175 + 2³ × 0.6875
    assert.equal(estimateRenderMs('<p>x</p>'.repeat(2000)).estimatedMs, 505.5);
    // 150 + 40,000 × 0.175 + 40³ × 0.6875: the 422 example of ENDPOINTS.md
    assert.equal(estimateRenderMs('<p>x</p>'.repeat(40_000)).estimatedMs, 51_150);
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

  it('costs every element, not only block tags', () => {
    // 1,000 paragraphs of five spans each: 150 + 1,000 × 0.175 + 1³ × 0.6875 + 5,000 other elements
    // × 0.05 + 1,000 runs of 5² / 10⁶ × 50.
    const { estimatedMs } = estimateRenderMs(`<p>${'<span>x</span>'.repeat(5)}</p>`.repeat(1000));
    assert.equal(estimatedMs, 576.9375);
  });

  it('stops elements a textual block count missed: display:block spans, custom elements, inline runs', () => {
    for (const html of [
      '<span style=display:block>x</span>'.repeat(600_000),
      '<x-row>x</x-row>'.repeat(600_000),
      '<span>x</span> '.repeat(25_000),
      `<pre>${`${'<b>x</b> '.repeat(10)}\n`.repeat(3_000)}</pre>`,
    ]) {
      assert.ok(estimateRenderMs(html).estimatedMs > QUICKJOB_ESTIMATE_LIMIT_MS, html.slice(0, 40));
    }
  });

  it('keeps ordinary documents where the block count put them', () => {
    const rows = (r: number, cols: number) =>
      `<table>${`<tr>${'<td>c</td>'.repeat(cols)}</tr>`.repeat(r)}</table>`;
    const within = (html: string, lowMs: number, highMs: number) => {
      const { estimatedMs } = estimateRenderMs(html);
      assert.ok(estimatedMs >= lowMs && estimatedMs <= highMs, `${estimatedMs} ms for ${html.slice(0, 30)}`);
    };
    within(rows(2_000, 4), 1_000, 2_500); // measured 1.3 s
    within(rows(20_000, 4), 19_000, QUICKJOB_ESTIMATE_LIMIT_MS); // measured 22.3 s
    within(`<p>${'<span>x</span> '.repeat(10)}</p>`.repeat(10_000), 5_000, 10_000); // measured 6.1-8.8 s
    within(`<svg>${'<path d="M0 0"/>'.repeat(20_000)}</svg>`, 150, 2_000); // measured 0.2 s
  });
});
