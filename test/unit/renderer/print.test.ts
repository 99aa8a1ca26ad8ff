import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePDFOptions } from 'puppeteer-core/internal/common/util.js';
import {
  PAPER_FORMATS,
  type RenderOptions,
  renderOptionsSchema,
} from '../../../src/domain/render-request.ts';
import { cssLengthToInches, toPrintParams } from '../../../src/renderer/print.ts';

describe('print parameters', () => {
  it('converts CSS lengths to inches', () => {
    assert.equal(cssLengthToInches('1in'), 1);
    assert.equal(cssLengthToInches('96px'), 1);
    assert.equal(cssLengthToInches('48'), 0.5);
    assert.equal(cssLengthToInches('0'), 0);
    assert.throws(() => cssLengthToInches('1em'), /not a CSS length/);
  });

  it("sends Chromium what puppeteer's page.pdf() would for the same options", () => {
    const margins = [
      { top: '20mm', right: '1.5cm', bottom: '0.5in', left: '12px' },
      { top: '0', right: '7', bottom: '0', left: '2.25mm' },
    ];
    for (const format of PAPER_FORMATS) {
      for (const margin of margins) {
        const options = renderOptionsSchema.parse({
          format,
          margin,
          landscape: format === 'Letter',
          scale: 0.8,
          displayHeaderFooter: true,
          footerTemplate: '<span class="pageNumber"></span>',
          pageRanges: '1-3',
          tagged: format !== 'A5',
        });
        assertSameAsPuppeteer(options);
      }
    }
    // Custom paper instead of a format, with an outline.
    assertSameAsPuppeteer(
      renderOptionsSchema.parse({ width: '100mm', height: '5in', outline: true, pageRanges: '1' }),
    );
    assertSameAsPuppeteer(
      renderOptionsSchema.parse({ width: '800', height: '30cm', landscape: true, pageRanges: '2' }),
    );
  });

  it('asks for one page past the limit when no range is given', () => {
    assert.equal(toPrintParams(renderOptionsSchema.parse({}), 100).pageRanges, '1-101');
  });
});

const assertSameAsPuppeteer = (options: RenderOptions): void => {
  const puppeteer = parsePDFOptions(options);
  const params = toPrintParams(options, 100);
  assert.deepEqual(params, {
    landscape: puppeteer.landscape,
    displayHeaderFooter: puppeteer.displayHeaderFooter,
    headerTemplate: puppeteer.headerTemplate,
    footerTemplate: puppeteer.footerTemplate,
    printBackground: puppeteer.printBackground,
    scale: puppeteer.scale,
    paperWidth: puppeteer.width,
    paperHeight: puppeteer.height,
    marginTop: puppeteer.margin.top,
    marginBottom: puppeteer.margin.bottom,
    marginLeft: puppeteer.margin.left,
    marginRight: puppeteer.margin.right,
    pageRanges: puppeteer.pageRanges,
    preferCSSPageSize: puppeteer.preferCSSPageSize,
    generateTaggedPDF: puppeteer.tagged,
    generateDocumentOutline: puppeteer.outline,
  });
};
