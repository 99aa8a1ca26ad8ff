import type { PDFDocument } from 'pdf-lib';

type PdfLib = typeof import('pdf-lib');

/**
 * pdf-lib is only needed past 100 pages, so it is loaded on first use (in the deployed bundles it is
 * a file of its own). Imported from CommonJS, its exports can arrive under `default`.
 */
const pdfLib = async (): Promise<PdfLib> => {
  const module = (await import('pdf-lib')) as PdfLib & { default?: PdfLib };
  return module.PDFDocument ? module : (module.default as PdfLib);
};

const latin1 = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');

/** Byte offset of object `id` from a classic cross-reference table at `xrefOffset`. */
const objectOffset = (pdf: Uint8Array, xrefOffset: number, id: number): number | undefined => {
  const table = latin1(pdf.subarray(xrefOffset, Math.min(pdf.byteLength, xrefOffset + 64)));
  if (!table.startsWith('xref')) return undefined; // a cross-reference stream: not read here
  let cursor = xrefOffset + 4;
  // Subsections: "first count" then `count` fixed-width (20-byte) entries.
  for (let guard = 0; guard < 1000; guard += 1) {
    const header = /^\s*(\d+) (\d+)\s*?\r?\n/.exec(latin1(pdf.subarray(cursor, cursor + 40)));
    if (!header?.[1] || !header[2]) return undefined;
    const first = Number(header[1]);
    const count = Number(header[2]);
    cursor += header[0].length;
    if (id >= first && id < first + count) {
      const entry = latin1(pdf.subarray(cursor + (id - first) * 20, cursor + (id - first) * 20 + 20));
      const match = /^(\d{10}) \d{5} n/.exec(entry);
      return match?.[1] ? Number(match[1]) : undefined;
    }
    cursor += count * 20;
  }
  return undefined;
};

/** The dictionary of object `id`, if the table finds it and it starts where the table says. */
const objectDictionary = (pdf: Uint8Array, xrefOffset: number, id: number): string | undefined => {
  const offset = objectOffset(pdf, xrefOffset, id);
  if (offset === undefined) return undefined;
  const text = latin1(pdf.subarray(offset, Math.min(pdf.byteLength, offset + 1024)));
  return text.startsWith(`${id} 0 obj`) ? text : undefined;
};

/**
 * Pages in a PDF, read from the /Count of its page tree root through the cross-reference table: a
 * few small reads instead of parsing the whole file (Chromium's PDFs have a classic table). Returns
 * undefined for any file it cannot read that way; callers then parse it fully.
 */
export const countPagesFast = (pdf: Uint8Array): number | undefined => {
  const tail = latin1(pdf.subarray(Math.max(0, pdf.byteLength - 1024)));
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
export const countPages = async (pdf: Uint8Array): Promise<number> =>
  countPagesFast(pdf) ?? (await loadPdf(pdf)).getPageCount();

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
