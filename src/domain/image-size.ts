/**
 * Width and height of a bitmap from its first bytes, without decoding it: what Chromium will allocate
 * for it (4 bytes a pixel) is known before it starts. PNG, JPEG, GIF, WebP, BMP, ICO/CUR and AVIF.
 */

export type ImageFormat = 'PNG' | 'JPEG' | 'GIF' | 'WebP' | 'BMP' | 'ICO' | 'AVIF';

export interface ImageSize {
  format: ImageFormat;
  width: number;
  height: number;
}

/**
 * `'more'`: the bytes are a prefix and the header goes on past them. `undefined`: not a bitmap of a
 * known format, or one whose size cannot be read (the decoder will fail on it too).
 */
export type ImageSizeResult = ImageSize | 'more' | undefined;

const u8 = (b: Uint8Array, i: number): number => b[i] ?? 0;
const be16 = (b: Uint8Array, i: number): number => (u8(b, i) << 8) | u8(b, i + 1);
const be32 = (b: Uint8Array, i: number): number => be16(b, i) * 0x10000 + be16(b, i + 2);
const le16 = (b: Uint8Array, i: number): number => u8(b, i) | (u8(b, i + 1) << 8);
const le24 = (b: Uint8Array, i: number): number => le16(b, i) | (u8(b, i + 2) << 16);
const le32 = (b: Uint8Array, i: number): number => le16(b, i) + le16(b, i + 2) * 0x10000;
const leInt32 = (b: Uint8Array, i: number): number => le32(b, i) | 0;
const ascii = (b: Uint8Array, i: number, text: string): boolean =>
  [...text].every((char, k) => u8(b, i + k) === char.charCodeAt(0));
const starts = (b: Uint8Array, bytes: number[]): boolean => bytes.every((byte, k) => b[k] === byte);

/** A size read at `end` bytes: `'more'` if the bytes stop before it, unless they are the whole file. */
const sized = (
  b: Uint8Array,
  complete: boolean,
  end: number,
  read: () => ImageSize | undefined,
): ImageSizeResult => (b.length >= end ? read() : complete ? undefined : 'more');

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const png = (b: Uint8Array, complete: boolean, at = 0): ImageSizeResult =>
  sized(b, complete, at + 24, () =>
    ascii(b, at + 12, 'IHDR')
      ? { format: 'PNG', width: be32(b, at + 16), height: be32(b, at + 20) }
      : undefined,
  );

/** JPEG: the first start-of-frame segment (SOF0–SOF15 but DHT, JPG and DAC), walking the segments. */
const jpeg = (b: Uint8Array, complete: boolean): ImageSizeResult => {
  let i = 2;
  for (;;) {
    while (i < b.length && u8(b, i) !== 0xff) i += 1;
    while (i < b.length && u8(b, i) === 0xff) i += 1;
    if (i + 3 > b.length) return complete ? undefined : 'more';
    const marker = u8(b, i);
    if ((marker >= 0xd0 && marker <= 0xd8) || marker === 0x01) {
      i += 1;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return undefined; // image data before any frame header
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return sized(b, complete, i + 8, () => ({
        format: 'JPEG',
        width: be16(b, i + 6),
        height: be16(b, i + 4),
      }));
    }
    i += 1 + be16(b, i + 1);
  }
};

/**
 * GIF: the logical screen, grown to every frame's extent (a frame past the screen makes the decoder's
 * canvas bigger), walking the blocks to the trailer.
 */
const gif = (b: Uint8Array, complete: boolean): ImageSizeResult => {
  if (b.length < 13) return complete ? undefined : 'more';
  let width = le16(b, 6);
  let height = le16(b, 8);
  const colorTable = (packed: number) => (packed & 0x80 ? 3 * 2 ** ((packed & 7) + 1) : 0);
  const skipSubBlocks = (from: number): number => {
    let i = from;
    while (i < b.length && u8(b, i) !== 0) i += 1 + u8(b, i);
    return i + 1;
  };
  let i = 13 + colorTable(u8(b, 10));
  while (i < b.length) {
    const block = u8(b, i);
    if (block === 0x21) i = skipSubBlocks(i + 2);
    else if (block === 0x2c) {
      if (i + 10 > b.length) {
        if (!complete) return 'more';
        break;
      }
      width = Math.max(width, le16(b, i + 1) + le16(b, i + 5));
      height = Math.max(height, le16(b, i + 3) + le16(b, i + 7));
      i = skipSubBlocks(i + 10 + colorTable(u8(b, i + 9)) + 1);
    } else break; // the trailer (0x3b), or garbage the decoder stops at as well
  }
  if (i >= b.length && !complete) return 'more';
  return { format: 'GIF', width, height };
};

const webp = (b: Uint8Array, complete: boolean): ImageSizeResult =>
  sized(b, complete, 30, () => {
    if (ascii(b, 12, 'VP8 ') && starts(b.subarray(23), [0x9d, 0x01, 0x2a])) {
      return { format: 'WebP', width: le16(b, 26) & 0x3fff, height: le16(b, 28) & 0x3fff };
    }
    if (ascii(b, 12, 'VP8L') && u8(b, 20) === 0x2f) {
      const bits = le32(b, 21);
      return { format: 'WebP', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
    if (ascii(b, 12, 'VP8X')) return { format: 'WebP', width: le24(b, 24) + 1, height: le24(b, 27) + 1 };
    return undefined;
  });

/** The DIB header sizes Windows and OS/2 bitmaps use: with "BM", they tell a bitmap from text. */
const DIB_HEADER_SIZES = new Set([12, 16, 40, 52, 56, 64, 108, 124]);

const bmp = (b: Uint8Array, complete: boolean): ImageSizeResult =>
  sized(b, complete, 28, () => {
    const header = le32(b, 14);
    if (!DIB_HEADER_SIZES.has(header)) return undefined;
    return header === 12
      ? { format: 'BMP', width: le16(b, 18), height: le16(b, 20) }
      : { format: 'BMP', width: Math.abs(leInt32(b, 18)), height: Math.abs(leInt32(b, 22)) };
  });

/** ICO and CUR: the largest entry; an entry that is a PNG is sized by its own header. */
const ico = (b: Uint8Array, complete: boolean): ImageSizeResult => {
  const count = le16(b, 4);
  if (count === 0 || u8(b, 9) !== 0) return undefined; // the first entry's reserved byte is 0
  let width = 0;
  let height = 0;
  for (let k = 0; k < count; k += 1) {
    const entry = 6 + 16 * k;
    if (entry + 16 > b.length) return complete ? undefined : 'more';
    width = Math.max(width, u8(b, entry) || 256);
    height = Math.max(height, u8(b, entry + 1) || 256);
    const offset = le32(b, entry + 12);
    if (starts(b.subarray(offset), PNG_SIGNATURE)) {
      const inner = png(b, complete, offset);
      if (inner === 'more') return inner;
      width = Math.max(width, inner?.width ?? 0);
      height = Math.max(height, inner?.height ?? 0);
    } else if (offset + 12 > b.length && !complete) return 'more';
    else if (offset + 12 <= b.length) {
      width = Math.max(width, Math.abs(leInt32(b, offset + 4)));
      height = Math.max(height, Math.abs(leInt32(b, offset + 8)) / 2);
    }
  }
  return { format: 'ICO', width, height };
};

/** AVIF: the largest `ispe` (image spatial extents) property; a grid's is the whole grid. */
const avif = (b: Uint8Array, complete: boolean): ImageSizeResult => {
  let width = 0;
  let height = 0;
  const text = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
  for (let i = text.indexOf('ispe'); i >= 0; i = text.indexOf('ispe', i + 4)) {
    if (i + 16 > b.length) break;
    width = Math.max(width, be32(b, i + 8));
    height = Math.max(height, be32(b, i + 12));
  }
  if (width > 0 && height > 0) return { format: 'AVIF', width, height };
  return complete ? undefined : 'more';
};

/**
 * The size `bytes` declare, read from as few of them as the format allows. `complete` says `bytes` is
 * the whole file; otherwise a header that runs past them answers `'more'`.
 *
 * @example
 * imageSize(firstBytesOfPng, false); // { format: 'PNG', width: 20000, height: 20000 }
 */
export const imageSize = (bytes: Uint8Array, complete: boolean): ImageSizeResult => {
  if (bytes.length < 12) return complete ? undefined : 'more';
  if (starts(bytes, PNG_SIGNATURE)) return png(bytes, complete);
  if (starts(bytes, [0xff, 0xd8, 0xff])) return jpeg(bytes, complete);
  if (ascii(bytes, 0, 'GIF87a') || ascii(bytes, 0, 'GIF89a')) return gif(bytes, complete);
  if (ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WEBP')) return webp(bytes, complete);
  if (ascii(bytes, 0, 'BM')) return bmp(bytes, complete);
  if (starts(bytes, [0, 0, 1, 0]) || starts(bytes, [0, 0, 2, 0])) return ico(bytes, complete);
  if (ascii(bytes, 4, 'ftyp') && (ascii(bytes, 8, 'avif') || ascii(bytes, 8, 'avis')))
    return avif(bytes, complete);
  return undefined;
};
