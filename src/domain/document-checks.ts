import { findDataImages } from './data-images.ts';
import { errors } from './errors.ts';
import { scanHtml } from './html-structure.ts';
import { MAX_ELEMENTS, MAX_IMAGE_PIXELS, MAX_NESTING_DEPTH, MAX_TOTAL_IMAGE_PIXELS } from './limits.ts';

/** The texts of a request Chromium parses as HTML, named by their path in the request. */
export interface DocumentTexts {
  html: string;
  headerTemplate?: string | undefined;
  footerTemplate?: string | undefined;
}

const textsOf = (document: DocumentTexts): Array<[string, string]> =>
  [
    ['html', document.html],
    ['options.headerTemplate', document.headerTemplate],
    ['options.footerTemplate', document.footerTemplate],
  ].filter((entry): entry is [string, string] => entry[1] !== undefined);

/** Refuses a data: bitmap that decodes past MAX_IMAGE_PIXELS, or distinct ones past MAX_TOTAL_IMAGE_PIXELS. */
const assertImagesFit = (texts: Array<[string, string]>): void => {
  const counted = new Set<string>();
  let total = 0;
  for (const [source, text] of texts) {
    for (const image of findDataImages(text)) {
      const { index, offset, format, width, height, payload } = image;
      if (width * height > MAX_IMAGE_PIXELS) {
        throw errors.imageTooLarge({ source, index, offset, format, width, height }, MAX_IMAGE_PIXELS);
      }
      // Chromium decodes a URI written several times once (a logo on every page).
      if (counted.has(payload)) continue;
      counted.add(payload);
      total += width * height;
      if (total > MAX_TOTAL_IMAGE_PIXELS)
        throw errors.imagesTooLarge(counted.size, total, MAX_TOTAL_IMAGE_PIXELS);
    }
  }
};

/** Refuses markup with more elements than MAX_ELEMENTS or nested deeper than MAX_NESTING_DEPTH. */
const assertStructureFits = (texts: Array<[string, string]>): void => {
  for (const [source, text] of texts) {
    const { elements, maxDepth } = scanHtml(text);
    if (elements > MAX_ELEMENTS) throw errors.documentTooComplex(source, 'elements', elements, MAX_ELEMENTS);
    if (maxDepth > MAX_NESTING_DEPTH)
      throw errors.documentTooComplex(source, 'depth', maxDepth, MAX_NESTING_DEPTH);
  }
};

/**
 * Refuses, before any job exists and on both job endpoints, a document Chromium cannot render within
 * its limits whatever the time allowed: `IMAGE_TOO_LARGE` for decompression bombs, `DOCUMENT_TOO_COMPLEX`
 * for markup with too many elements or nested too deep. Both are 400s: retrying as a long job fails
 * the same way.
 *
 * @example
 * assertDocumentFits({ html: '<div>'.repeat(10_000) }); // throws DOCUMENT_TOO_COMPLEX (depth 10000 > 512)
 */
export const assertDocumentFits = (document: DocumentTexts): void => {
  const texts = textsOf(document);
  assertImagesFit(texts);
  assertStructureFits(texts);
};
