/**
 * The little of the OpenType (sfnt) container podpdf needs: list a font's tables, drop some, and read
 * its PostScript name. Enough for the bundled TTFs; not a general font parser.
 */

interface Table {
  tag: string;
  checksum: number;
  offset: number;
  length: number;
}

const tablesOf = (font: Buffer): Table[] => {
  const count = font.readUInt16BE(4);
  return Array.from({ length: count }, (_, i) => {
    const at = 12 + 16 * i;
    return {
      tag: font.toString('latin1', at, at + 4),
      checksum: font.readUInt32BE(at + 4),
      offset: font.readUInt32BE(at + 8),
      length: font.readUInt32BE(at + 12),
    };
  });
};

/** The tags of the font's tables, in directory order. */
export const tableTags = (font: Buffer): string[] => tablesOf(font).map((table) => table.tag);

/**
 * The font without the tables named: a new directory and the kept tables, each 4-byte aligned.
 * Checksums stay as they were (FreeType does not check them).
 */
export const dropTables = (font: Buffer, tags: readonly string[]): Buffer => {
  const kept = tablesOf(font).filter((table) => !tags.includes(table.tag));
  const count = kept.length;
  const log2 = Math.floor(Math.log2(count));
  const header = Buffer.alloc(12 + 16 * count);
  font.copy(header, 0, 0, 4);
  header.writeUInt16BE(count, 4);
  header.writeUInt16BE(16 * 2 ** log2, 6);
  header.writeUInt16BE(log2, 8);
  header.writeUInt16BE(16 * count - 16 * 2 ** log2, 10);
  const bodies: Buffer[] = [];
  let offset = header.length;
  kept.forEach((table, i) => {
    const at = 12 + 16 * i;
    header.write(table.tag, at, 'latin1');
    header.writeUInt32BE(table.checksum, at + 4);
    header.writeUInt32BE(offset, at + 8);
    header.writeUInt32BE(table.length, at + 12);
    const padded = Buffer.alloc((table.length + 3) & ~3);
    font.copy(padded, 0, table.offset, table.offset + table.length);
    bodies.push(padded);
    offset += padded.length;
  });
  return Buffer.concat([header, ...bodies]);
};

/** The font's PostScript name (name ID 6), as PDFs name the fonts they embed. */
export const postscriptName = (font: Buffer): string | undefined => {
  const name = tablesOf(font).find((table) => table.tag === 'name');
  if (!name) return undefined;
  const count = font.readUInt16BE(name.offset + 2);
  const strings = name.offset + font.readUInt16BE(name.offset + 4);
  for (let i = 0; i < count; i += 1) {
    const at = name.offset + 6 + 12 * i;
    if (font.readUInt16BE(at + 6) !== 6) continue;
    const platform = font.readUInt16BE(at);
    const start = strings + font.readUInt16BE(at + 10);
    const bytes = font.subarray(start, start + font.readUInt16BE(at + 8));
    // Platforms 0 and 3 store UTF-16BE; platform 1 stores single bytes.
    if (platform === 1) return bytes.toString('latin1');
    return Buffer.from(bytes).swap16().toString('utf16le');
  }
  return undefined;
};
