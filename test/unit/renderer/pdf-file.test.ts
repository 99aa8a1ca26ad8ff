import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { PDFDocument } from 'pdf-lib';
import { PdfFile } from '../../../src/renderer/pdf-file.ts';
import { countPages, countPagesFast } from '../../../src/renderer/pdf-pages.ts';

const base64Of = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

const pdfWithPages = async (count: number, useObjectStreams: boolean): Promise<Uint8Array> => {
  const doc = await PDFDocument.create();
  for (let i = 0; i < count; i += 1) doc.addPage([200, 200]).drawText(`page ${i + 1}`, { x: 20, y: 100 });
  return doc.save({ useObjectStreams });
};

describe('PdfFile', () => {
  it('knows the byte length of base64 with no, one or two padding characters', () => {
    for (const length of [30, 31, 32, 0, 1, 2]) {
      const bytes = randomBytes(length);
      const file = PdfFile.ofBase64(base64Of(bytes));
      assert.equal(file.byteLength, length, `length ${length}`);
      assert.deepEqual(Buffer.from(file.bytes), bytes);
    }
  });

  it('reads any byte range of a base64 file as the bytes themselves read it', () => {
    const bytes = new Uint8Array(randomBytes(47));
    const fromBase64 = PdfFile.ofBase64(base64Of(bytes));
    const fromBytes = PdfFile.ofBytes(bytes);
    for (let start = -2; start <= 50; start += 1) {
      for (let end = start - 1; end <= 52; end += 1) {
        assert.equal(fromBase64.latin1(start, end), fromBytes.latin1(start, end), `${start}..${end}`);
      }
    }
    assert.equal(fromBytes.latin1(0, 47), Buffer.from(bytes).toString('latin1'));
  });

  it('hands out the form it was given unchanged, and the other converted', () => {
    const bytes = new Uint8Array(randomBytes(100));
    const encoded = base64Of(bytes);
    assert.equal(PdfFile.ofBase64(encoded).base64, encoded);
    assert.equal(PdfFile.ofBytes(bytes).bytes, bytes);
    assert.equal(PdfFile.ofBytes(bytes).base64, encoded);
    assert.deepEqual(PdfFile.ofBase64(encoded).bytes, bytes);
  });

  it('takes base64 of an unexpected shape by decoding it whole', () => {
    const bytes = randomBytes(10);
    const unpadded = base64Of(bytes).replace(/=+$/, '');
    const file = PdfFile.ofBase64(unpadded);
    assert.equal(file.byteLength, 10);
    assert.deepEqual(Buffer.from(file.bytes), bytes);
  });
});

describe('page count of a PdfFile', () => {
  it('reads the same count from base64 as from bytes, through the cross-reference table', async () => {
    const pdf = await pdfWithPages(7, false);
    assert.equal(countPagesFast(PdfFile.ofBytes(pdf)), 7);
    assert.equal(countPagesFast(PdfFile.ofBase64(base64Of(pdf))), 7);
  });

  it('falls back to a full parse for a cross-reference stream, in either form', async () => {
    const pdf = await pdfWithPages(3, true);
    assert.equal(countPagesFast(PdfFile.ofBase64(base64Of(pdf))), undefined);
    assert.equal(await countPages(PdfFile.ofBase64(base64Of(pdf))), 3);
    assert.equal(await countPages(PdfFile.ofBytes(pdf)), 3);
  });
});
