import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PDFDocument, type PDFStream, StandardFonts } from 'pdf-lib';
import { stampWatermark } from '../../../src/renderer/pdf-watermark.ts';
import { parsePdf } from '../../helpers/pdf.ts';

/** A PDF of `sizes.length` pages, each with its own text. */
const pdfOf = async (sizes: [number, number][]): Promise<Uint8Array> => {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  sizes.forEach(([width, height], i) => {
    doc.addPage([width, height]).drawText(`page ${i + 1}`, { x: 20, y: 20, size: 12, font });
  });
  return doc.save();
};

describe('stampWatermark', () => {
  it('stamps the text on every page, whatever its size, and keeps what the pages had', async () => {
    const stamped = await stampWatermark(
      await pdfOf([
        [595, 842],
        [842, 595],
        [200, 100],
      ]),
      'SANDBOX',
    );
    const parsed = await parsePdf(stamped);
    assert.equal(parsed.pages, 3);
    parsed.pageTexts.forEach((text, i) => {
      assert.match(text, /SANDBOX/, `page ${i + 1}`);
      assert.match(text, new RegExp(`page ${i + 1}`));
    });
    assert.deepEqual(
      parsed.pageSizes.map(({ width, height }) => [width, height]),
      [
        [595, 842],
        [842, 595],
        [200, 100],
      ],
    );
  });

  it('draws it semi-transparent and as an artifact, on top of the page content', async () => {
    const doc = await PDFDocument.load(await stampWatermark(await pdfOf([[595, 842]]), 'SANDBOX'));
    const page = doc.getPage(0);
    const { inflateSync } = await import('node:zlib');
    const decode = (raw: Uint8Array) => {
      try {
        return inflateSync(raw).toString('latin1');
      } catch {
        return Buffer.from(raw).toString('latin1');
      }
    };
    const refs = page.node.normalizedEntries().Contents?.asArray() ?? [];
    const text = refs.map((ref) => decode((doc.context.lookup(ref) as PDFStream).getContents())).join('\n');
    // After the page's own text: drawn over it.
    assert.ok(text.indexOf('/Artifact BMC') > text.indexOf('Tj'), text);
    assert.match(text, /\/Artifact BMC/);
    assert.match(text, /EMC/);
    assert.match(text, /\/[\w-]+ gs/); // an ExtGState: the opacity
  });
});
