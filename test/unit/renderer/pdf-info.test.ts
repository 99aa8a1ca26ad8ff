import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { PDFDocument } from 'pdf-lib';
import { PdfFile } from '../../../src/renderer/pdf-file.ts';
import { appendInfo, parseDictEntries, pdfDate, pdfTextString } from '../../../src/renderer/pdf-info.ts';
import { withMetadata } from '../../../src/renderer/pdf-pages.ts';
import { parsePdf, pdfInfo } from '../../helpers/pdf.ts';

/** A one-page PDF laid out as Chromium writes them: Info first, a classic table, `padding` to vary its length. */
const chromiumLikePdf = (
  padding: number,
  info = '<</Title (Old \\(title\\))\n/Producer (Skia/PDF m153)>>',
) => {
  const objects = [
    info,
    '<</Type /Catalog /Pages 3 0 R>>',
    '<</Type /Pages /Kids [4 0 R] /Count 1>>',
    '<</Type /Page /Parent 3 0 R /MediaBox [0 0 200 100]>>',
  ];
  let text = `%PDF-1.4\n%${'x'.repeat(padding)}\n`;
  const offsets = objects.map((object, i) => {
    const at = text.length;
    text += `${i + 1} 0 obj\n${object}\nendobj\n`;
    return at;
  });
  const xrefAt = text.length;
  text += `xref\n0 5\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  text += `trailer\n<</Size 5\n/Root 2 0 R\n/Info 1 0 R>>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(text, 'latin1'));
};

const METADATA = {
  title: 'Rechnung März – 東京 (Q1) \\ 😀',
  author: 'Zoë',
  subject: 'a (b) c',
  keywords: 'invoice, 2026',
  creator: 'ERP',
  creationDate: '2026-03-01T09:30:00.250-05:30',
};

describe('PDF strings and dates', () => {
  it('writes printable ASCII as a literal, escaping parentheses and backslashes', () => {
    assert.equal(pdfTextString('a (b) \\c'), '(a \\(b\\) \\\\c)');
  });

  it('writes anything else as UTF-16BE with a byte order mark', () => {
    assert.equal(pdfTextString('März'), '<FEFF004D00E40072007A>');
    assert.equal(pdfTextString('😀'), '<FEFFD83DDE00>');
    assert.equal(pdfTextString('a\tb'), '<FEFF006100090062>');
  });

  it('writes dates in the time zone they were given in', () => {
    assert.equal(pdfDate('2026-03-01T09:30:05+01:00'), "(D:20260301093005+01'00')");
    assert.equal(pdfDate('2026-12-31T23:59:59.999-05:30'), "(D:20261231235959-05'30')");
    assert.equal(pdfDate('2026-03-01T09:30:05Z'), "(D:20260301093005+00'00')");
    assert.throws(() => pdfDate('2026-03-01'), /not an ISO 8601 date-time/);
  });

  it('reads dictionary entries as raw tokens', () => {
    const entries = parseDictEntries(
      '1 0 obj\n<</Title (a (nested\\)) )/Size 5 /Root 2 0 R/ID [<AB> <CD>] /Open true>>',
    );
    assert.deepEqual(Object.fromEntries(entries ?? []), {
      Title: '(a (nested\\)) )',
      Size: '5',
      Root: '2 0 R',
      ID: '[<AB> <CD>]',
      Open: 'true',
    });
    assert.equal(parseDictEntries('<</A <</B 1>> >>'), undefined);
  });
});

describe('metadata as an incremental update', () => {
  it('appends a new Info dictionary and leaves every original byte as it was', async () => {
    const original = chromiumLikePdf(0);
    const updated = appendInfo(PdfFile.ofBytes(original), METADATA);
    assert.ok(updated);
    const bytes = updated.bytes;
    assert.deepEqual(bytes.subarray(0, original.byteLength), original);
    const info = await pdfInfo(bytes);
    assert.equal(info.Title, METADATA.title);
    assert.equal(info.Author, 'Zoë');
    assert.equal(info.Subject, 'a (b) c');
    assert.equal(info.Keywords, 'invoice, 2026');
    assert.equal(info.Creator, 'ERP');
    assert.equal(info.CreationDate, "D:20260301093000-05'30'");
    // What the metadata does not name stays as Chromium wrote it.
    assert.equal(info.Producer, 'Skia/PDF m153');
    assert.equal((await parsePdf(bytes)).pages, 1);
  });

  it('keeps the old title when only other fields are given', async () => {
    const updated = appendInfo(PdfFile.ofBytes(chromiumLikePdf(0)), { author: 'A' });
    assert.ok(updated);
    const info = await pdfInfo(updated.bytes);
    assert.equal(info.Title, 'Old (title)');
    assert.equal(info.Author, 'A');
  });

  it('appends to base64 without decoding and encoding the whole file, at any length', async () => {
    for (const padding of [0, 1, 2]) {
      const original = chromiumLikePdf(padding);
      const base64 = Buffer.from(original).toString('base64');
      const updated = appendInfo(PdfFile.ofBase64(base64), METADATA);
      assert.ok(updated);
      const whole = Math.floor(original.byteLength / 3) * 4;
      assert.equal(updated.base64.slice(0, whole), base64.slice(0, whole), `padding ${padding}`);
      const fromBytes = appendInfo(PdfFile.ofBytes(original), METADATA);
      assert.deepEqual(Buffer.from(updated.bytes), Buffer.from(fromBytes?.bytes ?? []));
      assert.equal((await pdfInfo(updated.bytes)).Title, METADATA.title);
    }
  });

  it('writes an Info dictionary where there was none, and chains a second update', async () => {
    const bare = new Uint8Array(
      Buffer.from(Buffer.from(chromiumLikePdf(0)).toString('latin1').replace('\n/Info 1 0 R', ''), 'latin1'),
    );
    const once = appendInfo(PdfFile.ofBytes(bare), { title: 'First' });
    assert.ok(once);
    assert.equal((await pdfInfo(once.bytes)).Title, 'First');
    const twice = appendInfo(once, { author: 'Second' });
    assert.ok(twice);
    const info = await pdfInfo(twice.bytes);
    assert.equal(info.Title, 'First');
    assert.equal(info.Author, 'Second');
  });

  it('leaves a file with a cross-reference stream to pdf-lib, which rewrites it', async () => {
    const doc = await PDFDocument.create({ updateMetadata: false });
    doc.addPage([200, 100]);
    doc.setTitle('Before');
    const streamed = PdfFile.ofBytes(await doc.save({ useObjectStreams: true }));
    assert.equal(appendInfo(streamed, METADATA), undefined);
    const info = await pdfInfo((await withMetadata(streamed, METADATA)).bytes);
    assert.equal(info.Title, METADATA.title);
    assert.equal(info.CreationDate, "D:20260301093000-05'30'");
  });

  it('does not touch random bytes', () => {
    assert.equal(appendInfo(PdfFile.ofBytes(new Uint8Array(randomBytes(2000))), METADATA), undefined);
  });
});
