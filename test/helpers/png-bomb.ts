import { crc32, deflateSync } from 'node:zlib';

const chunk = (type: string, data: Buffer): Buffer => {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
};

/**
 * A decompression bomb: a valid 1-bit grayscale PNG of `width` × `height` zero pixels. Its rows of
 * zeros deflate about a thousandfold (20000 × 20000 is ~50 KB), while a decoder that expands it to
 * RGBA needs width × height × 4 bytes (1.6 GB at 20000 × 20000).
 */
export const pngBomb = (width = 20_000, height = 20_000): Buffer => {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // grayscale; compression, filter and interlace 0
  const rows = Buffer.alloc((1 + Math.ceil(width / 8)) * height); // filter byte 0, then zero pixels
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
};
