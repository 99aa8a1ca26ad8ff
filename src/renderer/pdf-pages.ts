import { PDFDocument } from 'pdf-lib';

/** Reads the page count from the PDF itself (the number the client will see). */
export const loadPdf = (pdf: Uint8Array): Promise<PDFDocument> =>
  PDFDocument.load(pdf, { updateMetadata: false });

/**
 * A new PDF holding the first `count` pages of `source`. Pages are copied into a fresh document so the
 * objects only the dropped pages used (fonts, images) are left out of the file too.
 */
export const keepFirstPages = async (source: PDFDocument, count: number): Promise<Uint8Array> => {
  const target = await PDFDocument.create({ updateMetadata: false });
  const indices = Array.from({ length: count }, (_, i) => i);
  for (const page of await target.copyPages(source, indices)) target.addPage(page);
  return target.save();
};
