import { crc32, deflateSync } from 'node:zlib';

/** Headers of each bitmap format podpdf sizes, written byte by byte (PNG's pixel data through zlib). */

const u16be = (n: number) => [(n >>> 8) & 0xff, n & 0xff];
const u32be = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const u16le = (n: number) => [n & 0xff, (n >>> 8) & 0xff];
const u24le = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff];
const u32le = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

const pngChunk = (type: string, data: Buffer): Buffer => {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  return Buffer.concat([Buffer.from(u32be(data.length)), body, Buffer.from(u32be(crc32(body) >>> 0))]);
};

/** A valid 1-bit greyscale PNG; `seed` changes one pixel so that equal sizes can differ. */
export const png = (width: number, height: number, seed = 0): Buffer => {
  const header = Buffer.from([...u32be(width), ...u32be(height), 1, 0, 0, 0, 0]);
  const row = 1 + Math.ceil(width / 8);
  const pixels = Buffer.alloc(row * height);
  pixels[1 + (seed % (row - 1))] = 0xff;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(pixels)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
};

const segment = (marker: number, body: number[]) => [0xff, marker, ...u16be(body.length + 2), ...body];

/** A baseline JPEG header: JFIF, `appBytes` of APP1 (EXIF) padding, a quantization table, then SOF0. */
export const jpeg = (width: number, height: number, appBytes = 0): Buffer =>
  Buffer.from([
    0xff,
    0xd8,
    ...segment(0xe0, [...ascii('JFIF'), 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]),
    ...(appBytes > 0 ? segment(0xe1, [...ascii('Exif'), 0, 0, ...new Array(appBytes).fill(0)]) : []),
    ...segment(0xdb, [0, ...new Array(64).fill(1)]),
    ...segment(0xc0, [8, ...u16be(height), ...u16be(width), 1, 1, 0x11, 0]),
    ...segment(0xda, [1, 1, 0, 0, 63, 0]),
    0xff,
    0xd9,
  ]);

/** A GIF89a: logical screen, a global colour table and frames at the given offsets. */
export const gif = (
  width: number,
  height: number,
  frames: Array<{ left: number; top: number; width: number; height: number }>,
): Buffer =>
  Buffer.from([
    ...ascii('GIF89a'),
    ...u16le(width),
    ...u16le(height),
    0x80, // global colour table of 2 entries
    0,
    0,
    ...[0, 0, 0, 255, 255, 255],
    ...frames.flatMap((frame) => [
      ...[0x21, 0xf9, 4, 0, 10, 0, 0, 0], // graphic control extension
      0x2c,
      ...u16le(frame.left),
      ...u16le(frame.top),
      ...u16le(frame.width),
      ...u16le(frame.height),
      0,
      2, // LZW minimum code size
      ...[2, 0x4c, 0x01, 0], // one sub-block of image data, then the terminator
    ]),
    0x3b,
  ]);

const riff = (chunk: string, body: number[]) =>
  Buffer.from([
    ...ascii('RIFF'),
    ...u32le(body.length + 12),
    ...ascii('WEBP'),
    ...ascii(chunk),
    ...u32le(body.length),
    ...body,
  ]);

export const webpLossy = (width: number, height: number): Buffer =>
  riff('VP8 ', [0, 0, 0, 0x9d, 0x01, 0x2a, ...u16le(width), ...u16le(height), ...new Array(10).fill(0)]);

export const webpLossless = (width: number, height: number): Buffer => {
  const bits = (width - 1) | ((height - 1) << 14);
  return riff('VP8L', [0x2f, ...u32le(bits >>> 0), ...new Array(10).fill(0)]);
};

export const webpExtended = (width: number, height: number): Buffer =>
  riff('VP8X', [0x10, 0, 0, 0, ...u24le(width - 1), ...u24le(height - 1), ...new Array(10).fill(0)]);

/** A BMP with a 40-byte BITMAPINFOHEADER; a negative height is a top-down bitmap. */
export const bmp = (width: number, height: number): Buffer =>
  Buffer.from([
    ...ascii('BM'),
    ...u32le(54),
    0,
    0,
    0,
    0,
    ...u32le(54),
    ...u32le(40),
    ...u32le(width),
    ...u32le(height >>> 0),
    ...u16le(1),
    ...u16le(24),
    ...new Array(24).fill(0),
  ]);

/** An ICO with a 16×16 bitmap entry and a PNG entry (whose directory size says 0: "256"). */
export const ico = (pngWidth: number, pngHeight: number): Buffer => {
  const inner = png(pngWidth, pngHeight);
  const bitmapAt = 6 + 2 * 16;
  const dib = [...u32le(40), ...u32le(16), ...u32le(32), ...new Array(28).fill(0)];
  const pngAt = bitmapAt + dib.length;
  return Buffer.concat([
    Buffer.from([0, 0, 1, 0, ...u16le(2)]),
    Buffer.from([16, 16, 0, 0, ...u16le(1), ...u16le(32), ...u32le(dib.length), ...u32le(bitmapAt)]),
    Buffer.from([0, 0, 0, 0, ...u16le(1), ...u16le(32), ...u32le(inner.length), ...u32le(pngAt)]),
    Buffer.from(dib),
    inner,
  ]);
};

const box = (type: string, body: number[]) => [...u32be(body.length + 8), ...ascii(type), ...body];

/** An AVIF's ftyp and the meta box's image spatial extents. */
export const avif = (width: number, height: number): Buffer =>
  Buffer.from([
    ...box('ftyp', [...ascii('avif'), 0, 0, 0, 0, ...ascii('avifmif1')]),
    ...box('meta', [
      0,
      0,
      0,
      0,
      ...box('iprp', box('ipco', box('ispe', [0, 0, 0, 0, ...u32be(width), ...u32be(height)]))),
    ]),
  ]);

export const base64Uri = (bytes: Buffer, type = 'image/png'): string =>
  `data:${type};base64,${bytes.toString('base64')}`;
