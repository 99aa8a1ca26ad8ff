import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findDataImages } from '../../../src/domain/data-images.ts';
import { base64Uri, gif, jpeg, png, webpLossless } from './image-fixtures.ts';

const sizes = (html: string) =>
  findDataImages(html).map(({ format, width, height }) => `${format} ${width}x${height}`);

describe('data: bitmaps in HTML', () => {
  it('finds them in attributes, srcset and CSS, in document order', () => {
    const html = `<img src="${base64Uri(png(100, 50))}">
      <img srcset="${base64Uri(jpeg(200, 100), 'image/jpeg')} 1x, ${base64Uri(gif(30, 20, []), 'image/gif')} 2x">
      <style>div { background: url('${base64Uri(webpLossless(400, 300), 'image/webp')}') }</style>`;
    assert.deepEqual(sizes(html), ['PNG 100x50', 'JPEG 200x100', 'GIF 30x20', 'WebP 400x300']);
    const [first] = findDataImages(html);
    assert.equal(first?.index, 1);
    assert.equal(first?.offset, html.indexOf('data:'));
  });

  it('reads them as Chromium does: any media type, any case, whitespace and references inside', () => {
    const b64 = png(20_000, 20_000).toString('base64');
    const spellings = [
      `data:text/plain;base64,${b64}`,
      `data:;base64,${b64}`,
      `DATA:IMAGE/PNG;BASE64,${b64}`,
      `data:image/png;base64,${b64.slice(0, 7)}\n  ${b64.slice(7, 15)} ${b64.slice(15)}`,
      `data:image/png;base64,${b64.slice(0, 3)}&#x${b64.charCodeAt(3).toString(16)};&#${b64.charCodeAt(4)}${b64.slice(5)}`,
      `data&colon;image/png;base64,${b64}`,
      `&#100;ata:image/png;base64,${b64}`,
      `da\tta:image/png;base64,${b64}`,
      `data:image/png;base64,%${b64.charCodeAt(0).toString(16)}${b64.slice(1)}`,
    ];
    for (const uri of spellings) {
      assert.deepEqual(sizes(`<img src="${uri}">`), ['PNG 20000x20000'], uri.slice(0, 40));
    }
  });

  it('reads percent-encoded bitmaps', () => {
    const encoded = [...png(3_000, 2_000)].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
    assert.deepEqual(sizes(`<img src="data:image/png,${encoded}">`), ['PNG 3000x2000']);
  });

  it('leaves SVG, fonts and other data alone', () => {
    const svg = `data:image/svg+xml;base64,${Buffer.from('<svg width="99999" height="99999"/>').toString('base64')}`;
    const html = `<img src="${svg}"><img src="data:image/svg+xml,%3Csvg%20width='99999'%3E">
      <style>@font-face { src: url(data:font/woff2;base64,d09GMgABAAAAAAKAAA) }</style>
      <a href="data:text/plain,hello">x</a> data: is a word too`;
    assert.deepEqual(findDataImages(html), []);
  });

  it('keeps the payload, so that the same URI written twice is recognisable', () => {
    const uri = base64Uri(png(10, 10));
    const [a, b, c] = findDataImages(
      `<img src="${uri}"><img src="${uri}"><img src="${base64Uri(png(10, 10, 1))}">`,
    );
    assert.equal(a?.payload, b?.payload);
    assert.notEqual(a?.payload, c?.payload);
    assert.deepEqual([a?.index, b?.index, c?.index], [1, 2, 3]);
  });
});
