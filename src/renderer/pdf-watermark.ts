import { loadPdf, pdfLib } from './pdf-pages.ts';

/** Share of the page's diagonal the watermark's text spans. */
const DIAGONAL_SHARE = 0.6;
/** Helvetica's cap height, as a share of the font size: centres the text on the page's middle. */
const CAP_HEIGHT = 0.718;

/**
 * `pdf` with `text` drawn across every page: large, diagonal, red and half transparent, in a standard
 * font so readers extract it as text. It is drawn into the printed PDF, on top of and after all of the
 * document's own content, so nothing the document does (CSS, script) can hide or move it. The stamp
 * is marked as an artifact: screen readers of a tagged PDF skip it.
 */
export const stampWatermark = async (pdf: Uint8Array, text: string): Promise<Uint8Array> => {
  const lib = await pdfLib();
  const doc = await loadPdf(pdf);
  const font = await doc.embedFont(lib.StandardFonts.HelveticaBold);
  const unitWidth = font.widthOfTextAtSize(text, 1);
  for (const page of doc.getPages()) {
    const box = page.getCropBox();
    const angle = Math.atan2(box.height, box.width);
    const size = (Math.hypot(box.width, box.height) * DIAGONAL_SHARE) / unitWidth;
    const [width, capHeight] = [unitWidth * size, CAP_HEIGHT * size];
    const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
    page.pushOperators(lib.beginMarkedContent('Artifact'));
    page.drawText(text, {
      font,
      size,
      x: box.x + box.width / 2 - (cos * width - sin * capHeight) / 2,
      y: box.y + box.height / 2 - (sin * width + cos * capHeight) / 2,
      rotate: lib.radians(angle),
      color: lib.rgb(0.85, 0.1, 0.1),
      opacity: 0.3,
    });
    page.pushOperators(lib.endMarkedContent());
  }
  return doc.save();
};
