import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertDocumentFits } from '../../../src/domain/document-checks.ts';
import { PodpdfError } from '../../../src/domain/errors.ts';
import {
  MAX_ELEMENTS,
  MAX_IMAGE_PIXELS,
  MAX_NESTING_DEPTH,
  MAX_TOTAL_IMAGE_PIXELS,
} from '../../../src/domain/limits.ts';
import { base64Uri, jpeg, png } from './image-fixtures.ts';

const refusal = (fn: () => void): PodpdfError => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof PodpdfError);
    assert.equal(err.status, 400);
    return err;
  }
  assert.fail('expected a refusal');
};

describe('document checks', () => {
  it('lets ordinary documents through', () => {
    const logo = `<img src="${base64Uri(png(600, 200))}">`;
    assertDocumentFits({
      html: `<h1>Invoice</h1>${logo}<table>${'<tr><td>item</td><td>1</td></tr>'.repeat(500)}</table>`,
      headerTemplate: `<div>${logo}<span class="pageNumber"></span></div>`,
    });
    // An A3 page scanned at 300 dpi, and a 49-megapixel photo.
    assertDocumentFits({
      html: `<img src="${base64Uri(png(3508, 4961))}"><img src="${base64Uri(jpeg(7000, 7000), 'image/jpeg')}">`,
    });
  });

  it('refuses a decompression bomb with the image, its size and the limit', () => {
    const html = `<p>bomb</p><img src="${base64Uri(png(100, 100))}"><img src="${base64Uri(png(20_000, 20_000))}">`;
    const err = refusal(() => assertDocumentFits({ html }));
    assert.equal(err.code, 'IMAGE_TOO_LARGE');
    assert.deepEqual(err.details, {
      scope: 'image',
      source: 'html',
      index: 2,
      offset: html.lastIndexOf('data:'),
      format: 'PNG',
      width: 20_000,
      height: 20_000,
      pixels: 400_000_000,
      limit_pixels: MAX_IMAGE_PIXELS,
    });
    assert.match(
      err.message,
      /data: image 2 of html is a PNG of 20000×20000 pixels \(400 megapixels\), over the 50 megapixels/,
    );
  });

  it('finds bombs in the templates too', () => {
    const err = refusal(() =>
      assertDocumentFits({
        html: '<p>x</p>',
        footerTemplate: `<img src="${base64Uri(png(10_000, 10_000))}">`,
      }),
    );
    assert.equal((err.details as { source: string }).source, 'options.footerTemplate');
  });

  it('refuses distinct images that add up past the total, counting a repeated URI once', () => {
    const image = (seed: number) => `<img src="${base64Uri(png(7000, 7000, seed))}">`;
    const logo = image(0);
    assertDocumentFits({ html: logo.repeat(10), headerTemplate: logo });
    const err = refusal(() => assertDocumentFits({ html: [0, 1, 2, 3].map(image).join('') }));
    assert.equal(err.code, 'IMAGE_TOO_LARGE');
    assert.deepEqual(err.details, {
      scope: 'document',
      images: 4,
      pixels: 4 * 49_000_000,
      limit_pixels: MAX_TOTAL_IMAGE_PIXELS,
    });
  });

  it('leaves SVG data: URIs with huge sizes to the renderer', () => {
    const svg = encodeURIComponent(
      '<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="100000"/>',
    );
    assertDocumentFits({ html: `<img src="data:image/svg+xml,${svg}">` });
  });

  it('refuses too many elements and too deep nesting', () => {
    const many = refusal(() => assertDocumentFits({ html: '<i></i>'.repeat(MAX_ELEMENTS + 1) }));
    assert.equal(many.code, 'DOCUMENT_TOO_COMPLEX');
    assert.deepEqual(many.details, { source: 'html', elements: MAX_ELEMENTS + 1, limit: MAX_ELEMENTS });
    assertDocumentFits({ html: '<i></i>'.repeat(MAX_ELEMENTS) });

    const deep = refusal(() => assertDocumentFits({ html: '<table><tr><td>'.repeat(10_000) }));
    assert.equal(deep.code, 'DOCUMENT_TOO_COMPLEX');
    assert.deepEqual(deep.details, { source: 'html', depth: 30_000, limit: MAX_NESTING_DEPTH });
    assert.match(deep.message, /html nests elements 30000 deep; at most 512 levels are accepted/);
    assertDocumentFits({ html: '<div>'.repeat(MAX_NESTING_DEPTH) });
    const template = refusal(() => assertDocumentFits({ html: 'x', headerTemplate: '<span>'.repeat(1000) }));
    assert.equal((template.details as { source: string }).source, 'options.headerTemplate');
  });
});
