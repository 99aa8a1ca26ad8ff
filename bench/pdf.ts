import { PDFDocument } from 'pdf-lib';

/** Page count of a PDF the baselines produced; used to check the documents, never inside a timing. */
export const countPages = async (pdf: Uint8Array): Promise<number> =>
  (await PDFDocument.load(pdf, { updateMetadata: false })).getPageCount();

export const isPdf = (bytes: Uint8Array): boolean =>
  Buffer.from(bytes.subarray(0, 5)).toString('latin1') === '%PDF-';
