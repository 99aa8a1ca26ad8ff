import { PDFDict, PDFDocument, PDFName } from 'pdf-lib';
import { getDocument, OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';

export interface ParsedPdf {
  pages: number;
  /** Text of each page, items joined by spaces. */
  pageTexts: string[];
  /** Size of each page in points (A4 portrait rounds to 596 × 842). */
  pageSizes: { width: number; height: number }[];
}

/** Parses PDF bytes with pdfjs (an independent reader, not the library podpdf writes with). */
export const parsePdf = async (bytes: Uint8Array): Promise<ParsedPdf> => {
  const task = getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, verbosity: 0 });
  const doc = await task.promise;
  const pageTexts: string[] = [];
  const pageSizes: ParsedPdf['pageSizes'] = [];
  for (let n = 1; n <= doc.numPages; n += 1) {
    const page = await doc.getPage(n);
    const [x0 = 0, y0 = 0, x1 = 0, y1 = 0] = page.view;
    pageSizes.push({ width: Math.round(x1 - x0), height: Math.round(y1 - y0) });
    const content = await page.getTextContent();
    pageTexts.push(
      content.items
        .map((item) => ('str' in item ? item.str : ''))
        .join(' ')
        .replace(/\s+/g, ' ')
        .trim(),
    );
  }
  const pages = doc.numPages;
  await task.destroy();
  return { pages, pageTexts, pageSizes };
};

export const isPdf = (bytes: Uint8Array): boolean =>
  Buffer.from(bytes.subarray(0, 5)).toString('latin1') === '%PDF-';

/** The BaseFont names of the fonts a PDF embeds, subset prefixes removed ("LiberationSans-BoldItalic"). */
export const fontNames = async (bytes: Uint8Array): Promise<string[]> => {
  const doc = await PDFDocument.load(bytes);
  const names = new Set<string>();
  for (const [, object] of doc.context.enumerateIndirectObjects()) {
    if (!(object instanceof PDFDict) || object.get(PDFName.of('Type'))?.toString() !== '/Font') continue;
    const name = object.get(PDFName.of('BaseFont'))?.toString();
    if (name) names.add(name.replace(/^\/([A-Z]{6}\+)?/, ''));
  }
  return [...names];
};

/** True when the PDF carries a structure tree (a tagged, accessible PDF). */
export const isTagged = async (bytes: Uint8Array): Promise<boolean> =>
  (await PDFDocument.load(bytes)).catalog.has(PDFName.of('StructTreeRoot'));

/** The Info dictionary as pdfjs reads it (Title, Author, …, dates as PDF date strings). */
export const pdfInfo = async (bytes: Uint8Array): Promise<Record<string, unknown>> => {
  const task = getDocument({ data: new Uint8Array(bytes), verbosity: 0 });
  const { info } = await (await task.promise).getMetadata();
  await task.destroy();
  return info as Record<string, unknown>;
};

export interface OutlineEntry {
  title: string;
  items: OutlineEntry[];
}

/** The bookmarks as pdfjs reads them, nested; [] for a PDF without an outline. */
export const pdfOutline = async (bytes: Uint8Array): Promise<OutlineEntry[]> => {
  const task = getDocument({ data: new Uint8Array(bytes), verbosity: 0 });
  const outline = (await (await task.promise).getOutline()) ?? [];
  await task.destroy();
  const simplify = (items: typeof outline): OutlineEntry[] =>
    items.map((item) => ({ title: item.title, items: simplify(item.items) }));
  return simplify(outline);
};

/** The fill colours ("#121212") page 1's content sets, in order, as pdfjs reads them. */
export const fillColors = async (bytes: Uint8Array): Promise<string[]> => {
  const task = getDocument({ data: new Uint8Array(bytes), verbosity: 0 });
  const page = await (await task.promise).getPage(1);
  const { fnArray, argsArray } = await page.getOperatorList();
  await task.destroy();
  return fnArray.flatMap((fn, i) => (fn === OPS.setFillRGBColor ? [String(argsArray[i]?.[0])] : []));
};
