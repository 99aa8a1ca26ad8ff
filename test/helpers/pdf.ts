import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

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
