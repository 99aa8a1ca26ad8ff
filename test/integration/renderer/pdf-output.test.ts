import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { renderOptionsSchema } from '../../../src/domain/render-request.ts';
import { useProjectTmpdir } from '../../../src/local/project-tmpdir.ts';
import { closeRenderer } from '../../../src/renderer/pages.ts';
import { renderPdf } from '../../../src/renderer/render.ts';
import { fillColors, isPdf, parsePdf, pdfInfo, pdfOutline } from '../../helpers/pdf.ts';
import { pagedHtml } from '../../helpers/stack.ts';

const render = async (html: string, options: Record<string, unknown>, streamPdf = false) =>
  renderPdf(html, renderOptionsSchema.parse(options), {
    deadline: Date.now() + 20_000,
    maxPages: 100,
    allowPrivateNetwork: false,
    streamPdf,
  });
const bytesOf = async (html: string, options: Record<string, unknown>, streamPdf = false) =>
  (await render(html, options, streamPdf)).file.bytes;

const HEADINGS = `<!DOCTYPE html><html lang="en"><head><title>Handbook</title></head><body>
  <h1>Chapter One</h1><p>a</p><h2>Section 1.1</h2><p>b</p><h2>Section 1.2</h2>
  <h1 style="page-break-before:always">Chapter Two – Zwei</h1><h3>Deep</h3></body></html>`;

/** A page whose dark colour scheme gives it a default background of #121212 (Chromium's dark canvas). */
const DARK = '<!DOCTYPE html><meta name="color-scheme" content="dark"><p>night</p>';

const METADATA = {
  title: 'Rechnung März – 東京',
  author: 'Zoë Ångström',
  subject: 'Invoice (Q1)',
  keywords: 'invoice, März',
  creator: 'ERP 7',
  creationDate: '2026-03-01T09:30:00+01:00',
};

describe('PDF output options, printed by Chromium and read back by pdfjs', () => {
  before(() => {
    useProjectTmpdir();
  });
  after(async () => {
    await closeRenderer();
  });

  it('builds the outline from the headings only when asked', async () => {
    assert.deepEqual(await pdfOutline(await bytesOf(HEADINGS, { outline: true })), [
      {
        title: 'Chapter One',
        items: [
          { title: 'Section 1.1', items: [] },
          { title: 'Section 1.2', items: [] },
        ],
      },
      { title: 'Chapter Two – Zwei', items: [{ title: 'Deep', items: [] }] },
    ]);
    assert.deepEqual(await pdfOutline(await bytesOf(HEADINGS, {})), []);
  });

  it('prints on custom paper, landscape turning it', async () => {
    // 100 mm is 283.5 points and 50 mm 141.75 (puppeteer's 3.78 px a mm).
    const portrait = await parsePdf(await bytesOf(pagedHtml(2), { width: '100mm', height: '50mm' }));
    assert.equal(portrait.pages, 2);
    assert.deepEqual(portrait.pageSizes[0], { width: 284, height: 142 });
    const landscape = await parsePdf(
      await bytesOf('<p>x</p>', { width: '3in', height: '5in', landscape: true }),
    );
    assert.deepEqual(landscape.pageSizes[0], { width: 360, height: 216 });
  });

  it('leaves out the default page background with omitBackground, and only for that document', async () => {
    assert.ok((await fillColors(await bytesOf(DARK, {}))).includes('#121212'));
    assert.ok(!(await fillColors(await bytesOf(DARK, { omitBackground: true }))).includes('#121212'));
    // A document's own background still prints.
    const own = '<!DOCTYPE html><body style="background:#ffcc00"><p>x</p></body>';
    assert.ok((await fillColors(await bytesOf(own, { omitBackground: true }))).includes('#ffcc00'));
    // The page that printed it serves the next script-free document with the default back.
    assert.ok((await fillColors(await bytesOf(DARK, {}))).includes('#121212'));
  });

  it('writes the metadata over what Chromium wrote, in both forms a PDF is read in', async () => {
    for (const streamPdf of [false, true]) {
      const plain = await bytesOf(HEADINGS, {}, streamPdf);
      const before = await pdfInfo(plain);
      assert.equal(before.Title, 'Handbook');
      assert.equal(before.Creator, 'Chromium');
      const bytes = await bytesOf(HEADINGS, { metadata: METADATA }, streamPdf);
      assert.ok(isPdf(bytes));
      const info = await pdfInfo(bytes);
      assert.equal(info.Title, METADATA.title);
      assert.equal(info.Author, METADATA.author);
      assert.equal(info.Subject, METADATA.subject);
      assert.equal(info.Keywords, METADATA.keywords);
      assert.equal(info.Creator, METADATA.creator);
      assert.equal(info.CreationDate, "D:20260301093000+01'00'");
      assert.equal(info.Producer, before.Producer, 'Producer stays as Chromium wrote it');
      assert.equal((await parsePdf(bytes)).pages, 2);
    }
  });

  it('keeps the title of <title> when the metadata does not name one', async () => {
    const info = await pdfInfo(await bytesOf(HEADINGS, { metadata: { author: 'A' } }));
    assert.equal(info.Title, 'Handbook');
    assert.equal(info.Author, 'A');
  });

  it('carries the Info dictionary through truncation, metadata applied', async () => {
    const html = pagedHtml(150).replace('<head>', '<head><title>Long report</title>');
    const cut = await render(html, {});
    assert.equal(cut.truncated, true);
    const kept = await pdfInfo(cut.file.bytes);
    assert.equal(kept.Title, 'Long report');
    assert.equal(kept.Creator, 'Chromium');
    const withMetadata = await render(html, { metadata: METADATA });
    assert.equal(withMetadata.pages, 100);
    const info = await pdfInfo(withMetadata.file.bytes);
    assert.equal(info.Title, METADATA.title);
    assert.equal(info.Author, METADATA.author);
    assert.equal(info.CreationDate, "D:20260301093000+01'00'");
    assert.equal(info.Producer, kept.Producer);
    assert.equal((await parsePdf(withMetadata.file.bytes)).pages, 100);
  });
});
