import type { PdfFile } from './pdf-file.ts';

/** Byte offset of object `id` from a classic cross-reference table at `xrefOffset`. */
export const objectOffset = (pdf: PdfFile, xrefOffset: number, id: number): number | undefined => {
  // A cross-reference stream (no `xref` keyword) is not read here.
  if (!pdf.latin1(xrefOffset, xrefOffset + 4).startsWith('xref')) return undefined;
  let cursor = xrefOffset + 4;
  // Subsections: "first count" then `count` fixed-width (20-byte) entries.
  for (let guard = 0; guard < 1000; guard += 1) {
    const header = /^\s*(\d+) (\d+)\s*?\r?\n/.exec(pdf.latin1(cursor, cursor + 40));
    if (!header?.[1] || !header[2]) return undefined;
    const first = Number(header[1]);
    const count = Number(header[2]);
    cursor += header[0].length;
    if (id >= first && id < first + count) {
      const entryStart = cursor + (id - first) * 20;
      const match = /^(\d{10}) \d{5} n/.exec(pdf.latin1(entryStart, entryStart + 20));
      return match?.[1] ? Number(match[1]) : undefined;
    }
    cursor += count * 20;
  }
  return undefined;
};
