import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { imageSize } from '../../../src/domain/image-size.ts';
import { avif, bmp, gif, ico, jpeg, png, webpExtended, webpLossless, webpLossy } from './image-fixtures.ts';

describe('image size from the header', () => {
  it('reads PNG, JPEG, GIF, WebP, BMP, ICO and AVIF', () => {
    const cases: Array<[Buffer, string, number, number]> = [
      [png(20_000, 20_000), 'PNG', 20_000, 20_000],
      [jpeg(65_000, 4_000), 'JPEG', 65_000, 4_000],
      [gif(300, 200, [{ left: 0, top: 0, width: 300, height: 200 }]), 'GIF', 300, 200],
      [webpLossy(16_383, 9_000), 'WebP', 16_383, 9_000],
      [webpLossless(16_384, 16_384), 'WebP', 16_384, 16_384],
      [webpExtended(100_000, 50_000), 'WebP', 100_000, 50_000],
      [bmp(30_000, -30_000), 'BMP', 30_000, 30_000],
      [ico(4_096, 4_096), 'ICO', 4_096, 4_096],
      [avif(8_000, 9_000), 'AVIF', 8_000, 9_000],
    ];
    for (const [bytes, format, width, height] of cases) {
      assert.deepEqual(imageSize(bytes, true), { format, width, height }, format);
    }
  });

  it('grows a GIF to the extent of a frame past its logical screen', () => {
    const frames = [
      { left: 0, top: 0, width: 10, height: 10 },
      { left: 60_000, top: 5, width: 5_000, height: 40_000 },
    ];
    assert.deepEqual(imageSize(gif(10, 10, frames), true), { format: 'GIF', width: 65_000, height: 40_005 });
  });

  it('asks for more bytes when a header runs past the prefix it was given', () => {
    const withExif = jpeg(7_000, 7_000, 70_000);
    assert.equal(imageSize(withExif.subarray(0, 96), false), 'more');
    assert.deepEqual(imageSize(withExif, true), { format: 'JPEG', width: 7_000, height: 7_000 });
    assert.equal(imageSize(png(10, 10).subarray(0, 16), false), 'more');
    assert.equal(imageSize(png(10, 10).subarray(0, 16), true), undefined);
  });

  it('knows nothing of other data', () => {
    assert.equal(imageSize(Buffer.from('wOF2\u0000\u0001\u0000\u0000 a web font'), true), undefined);
    assert.equal(imageSize(Buffer.from('BMW is a make of car, not a bitmap'), true), undefined);
    assert.equal(imageSize(Buffer.from('<svg width="100000" height="100000"></svg>'), true), undefined);
    // A JPEG whose scan starts before any frame header has no size to read.
    assert.equal(
      imageSize(Buffer.from([0xff, 0xd8, 0xff, 0xda, 0, 8, 1, 1, 0, 0, 63, 0, 0xff, 0xd9]), true),
      undefined,
    );
  });
});
