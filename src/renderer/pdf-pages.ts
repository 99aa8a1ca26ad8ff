import type { PDFDocument } from 'pdf-lib';
import type { PdfFile } from './pdf-file.ts';

type PdfLib = typeof import('pdf-lib');

/**
 * pdf-lib is only needed past 100 pages, so it is loaded on first use (in the deployed bundles it is
 * a file of its own). Imported from CommonJS, its exports can arrive under `default`.
 */
const pdfLib = async (): Promise<PdfLib> => {
  const module = (await import('pdf-lib')) as PdfLib & { default?: PdfLib };
  return module.PDFDocument ? module : (module.default as PdfLib);
};

/** Byte offset of object `id` from a classic cross-reference table at `xrefOffset`. */
const objectOffset = (pdf: PdfFile, xrefOffset: number, id: number): number | undefined => {
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

/** The dictionary of object `id`, if the table finds it and it starts where the table says. */
const objectDictionary = (pdf: PdfFile, xrefOffset: number, id: number): string | undefined => {
  const offset = objectOffset(pdf, xrefOffset, id);
  if (offset === undefined) return undefined;
  const text = pdf.latin1(offset, offset + 1024);
  return text.startsWith(`${id} 0 obj`) ? text : undefined;
};

/**
 * Pages in a PDF, read from the /Count of its page tree root through the cross-reference table: a
 * few small reads instead of parsing the whole file (Chromium's PDFs have a classic table). Returns
 * undefined for any file it cannot read that way; callers then parse it fully.
 */
export const countPagesFast = (pdf: PdfFile): number | undefined => {
  const tail = pdf.latin1(pdf.byteLength - 1024, pdf.byteLength);
  const startxref = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(tail)?.[1];
  const roots = [...tail.matchAll(/\/Root (\d+) 0 R/g)];
  const root = roots.at(-1)?.[1];
  if (!startxref || !root) return undefined;
  const catalog = objectDictionary(pdf, Number(startxref), Number(root));
  const pagesId = catalog && /\/Pages (\d+) 0 R/.exec(catalog)?.[1];
  const pages = pagesId ? objectDictionary(pdf, Number(startxref), Number(pagesId)) : undefined;
  const count = pages && /\/Type\s*\/Pages\b/.test(pages) ? /\/Count (\d+)/.exec(pages)?.[1] : undefined;
  return count === undefined ? undefined : Number(count);
};

/** Page count, the fast way when possible, by a full parse otherwise. */
export const countPages = async (pdf: PdfFile): Promise<number> =>
  countPagesFast(pdf) ?? (await loadPdf(pdf.bytes)).getPageCount();

export const loadPdf = async (pdf: Uint8Array): Promise<PDFDocument> =>
  (await pdfLib()).PDFDocument.load(pdf, { updateMetadata: false });

/**
 * A new PDF holding the first `count` pages of `pdf`. Pages are copied into a fresh document so the
 * objects only the dropped pages used (fonts, images) are left out of the file too.
 */
export const keepFirstPages = async (pdf: Uint8Array, count: number): Promise<Uint8Array> => {
  const source = await loadPdf(pdf);
  const target = await (await pdfLib()).PDFDocument.create({ updateMetadata: false });
  const indices = Array.from({ length: Math.min(count, source.getPageCount()) }, (_, i) => i);
  for (const page of await target.copyPages(source, indices)) target.addPage(page);
  return target.save();
};
