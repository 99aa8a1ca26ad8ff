import type { PDFDocument } from 'pdf-lib';
import type { PdfMetadata } from '../domain/pdf-output.ts';
import { PdfFile } from './pdf-file.ts';
import { appendInfo, type DictEntries, mergeInfo } from './pdf-info.ts';
import { objectOffset } from './pdf-xref.ts';

type PdfLib = typeof import('pdf-lib');

/**
 * pdf-lib is only needed past 100 pages, so it is loaded on first use (in the deployed bundles it is
 * a file of its own). Imported from CommonJS, its exports can arrive under `default`.
 */
export const pdfLib = async (): Promise<PdfLib> => {
  const module = (await import('pdf-lib')) as PdfLib & { default?: PdfLib };
  return module.PDFDocument ? module : (module.default as PdfLib);
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

/** A document's Info entries as raw tokens; strings only, what Info holds worth keeping. */
const infoOf = (lib: PdfLib, doc: PDFDocument): DictEntries => {
  const entries: DictEntries = new Map();
  const info = doc.context.lookup(doc.context.trailerInfo.Info);
  if (!(info instanceof lib.PDFDict)) return entries;
  for (const [name, value] of info.entries()) {
    if (value instanceof lib.PDFString || value instanceof lib.PDFHexString)
      entries.set(name.toString().slice(1), value.toString());
  }
  return entries;
};

const setInfo = (lib: PdfLib, doc: PDFDocument, entries: DictEntries): void => {
  const dict = doc.context.obj({});
  for (const [key, raw] of entries) {
    const inner = raw.slice(1, -1);
    dict.set(lib.PDFName.of(key), raw.startsWith('(') ? lib.PDFString.of(inner) : lib.PDFHexString.of(inner));
  }
  doc.context.trailerInfo.Info = doc.context.register(dict);
};

/**
 * A new PDF holding the first `count` pages of `pdf`. Pages are copied into a fresh document so the
 * objects only the dropped pages used (fonts, images) are left out of the file too. The Info
 * dictionary is carried over, with `metadata` applied.
 */
export const keepFirstPages = async (
  pdf: Uint8Array,
  count: number,
  metadata: PdfMetadata = {},
): Promise<Uint8Array> => {
  const lib = await pdfLib();
  const source = await loadPdf(pdf);
  const target = await lib.PDFDocument.create({ updateMetadata: false });
  const indices = Array.from({ length: Math.min(count, source.getPageCount()) }, (_, i) => i);
  for (const page of await target.copyPages(source, indices)) target.addPage(page);
  setInfo(lib, target, mergeInfo(infoOf(lib, source), metadata));
  return target.save();
};

/**
 * `pdf` with `metadata` in its Info dictionary: appended as an incremental update (Chromium's PDFs),
 * or by pdf-lib rewriting a file that has no classic cross-reference table.
 */
export const withMetadata = async (pdf: PdfFile, metadata: PdfMetadata): Promise<PdfFile> => {
  const appended = appendInfo(pdf, metadata);
  if (appended) return appended;
  const lib = await pdfLib();
  const doc = await loadPdf(pdf.bytes);
  setInfo(lib, doc, mergeInfo(infoOf(lib, doc), metadata));
  return PdfFile.ofBytes(await doc.save());
};
