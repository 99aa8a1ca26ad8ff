import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'puppeteer-core';
import { renderOptionsSchema } from '../../../src/domain/render-request.ts';
import { useProjectTmpdir } from '../../../src/local/project-tmpdir.ts';
import { getBrowser } from '../../../src/renderer/browser.ts';
import {
  closeRenderer,
  MAX_IDLE_SHARED,
  MAX_SHARED_PAGE_USES,
  takeSharedPage,
} from '../../../src/renderer/pages.ts';
import { RenderTimeoutError, renderPdf } from '../../../src/renderer/render.ts';
import { fontNames, parsePdf } from '../../helpers/pdf.ts';

/** A TrueType font that ships with pdfjs-dist, the tests' PDF reader. */
const LIBERATION_BOLD_ITALIC = fileURLToPath(
  import.meta.resolve('pdfjs-dist/standard_fonts/LiberationSans-BoldItalic.ttf'),
);

const OPTIONS = renderOptionsSchema.parse({});
const render = (html: string, allowPrivateNetwork = false) =>
  renderPdf(html, OPTIONS, {
    deadline: Date.now() + 20_000,
    maxPages: 100,
    allowPrivateNetwork,
    streamPdf: false,
  });

/** The open pages of `browser` whose document contains `marker`. */
const pagesShowing = async (browser: Browser, marker: string): Promise<Page[]> => {
  const showing: Page[] = [];
  for (const page of await browser.pages()) {
    if (!page.isClosed() && (await page.content().catch(() => '')).includes(marker)) showing.push(page);
  }
  return showing;
};

/** A 1×1 PNG. */
const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

describe('shared pages for script-free documents', () => {
  let server: Server;
  let port = 0;
  const requested: string[] = [];

  before(async () => {
    useProjectTmpdir();
    server = createServer((req, res) => {
      requested.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'image/png' }).end(PIXEL);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    await closeRenderer();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('prints consecutive script-free documents in one page that stays open', async () => {
    await render('<p>shared-one</p>');
    const browser = await getBrowser();
    const [first] = await pagesShowing(browser, 'shared-one');
    assert.ok(first, 'the first document stays in an open page');
    await render('<p>shared-two</p>');
    const [second] = await pagesShowing(browser, 'shared-two');
    assert.equal(second, first, 'the second document used the same page');
    assert.equal((await pagesShowing(browser, 'shared-one')).length, 0, 'nothing of the first is left');
  });

  it('carries nothing of one document into the next: styles, page size, title, base URL', async () => {
    await render(`<html lang="de" class="dark"><head><title>customer-a</title><base href="https://a.example/">
      <style>@page { size: A5 landscape } body { display: none }</style></head><body><p>a</p></body></html>`);
    const plain = await parsePdf((await render('<p id="b">document-b</p>')).file.bytes);
    assert.match(plain.pageTexts.join(' '), /document-b/, 'the hiding style is gone');
    assert.deepEqual(plain.pageSizes, [{ width: 596, height: 842 }], 'A4 portrait again');
    const browser = await getBrowser();
    const [page] = await pagesShowing(browser, 'document-b');
    assert.ok(page);
    const state = await page.evaluate(
      '[document.title, document.baseURI, document.documentElement.className]',
    );
    assert.deepEqual(state, ['', 'about:blank', '']);
  });

  it('runs no script in a shared page, whatever its document holds', async () => {
    const browser = await getBrowser();
    const shared = await takeSharedPage(browser, false);
    try {
      await shared.page.setContent(
        '<p id="out">script did not run</p><script>out.textContent = "ran"</script>',
      );
      assert.equal(await shared.page.$eval('#out', (el) => el.textContent), 'script did not run');
    } finally {
      await shared.page.close();
    }
  });

  it('checks every document against its own sub-resource policy', async () => {
    requested.length = 0;
    await render(`<p>denied</p><img src="http://127.0.0.1:${port}/denied-1.png">`);
    await render(`<p>allowed</p><img src="http://127.0.0.1:${port}/allowed.png">`, true);
    await render(`<p>denied again</p><img src="http://127.0.0.1:${port}/denied-2.png">`);
    assert.deepEqual(requested, ['/allowed.png']);
  });

  it('closes a shared page whose document failed, and prints the next one in another', async () => {
    await render('<p>before-failure</p>');
    const browser = await getBrowser();
    const [used] = await pagesShowing(browser, 'before-failure');
    assert.ok(used);
    // Script-free, and a print that outlasts the deadline: the deadline passes with the page in use.
    const stall = `<svg width=4000 height=4000><filter id=f>${'<feGaussianBlur stdDeviation=300 />'.repeat(30)}</filter><rect width=4000 height=4000 filter=url(#f) /></svg>`;
    await assert.rejects(
      renderPdf(stall, OPTIONS, {
        deadline: Date.now() + 1_000,
        maxPages: 100,
        allowPrivateNetwork: false,
        streamPdf: false,
      }),
      RenderTimeoutError,
    );
    assert.equal(used.isClosed(), true);
    await render('<p>after-failure</p>');
    assert.equal((await pagesShowing(browser, 'after-failure')).length, 1);
  });

  it(`replaces a shared page after ${MAX_SHARED_PAGE_USES} documents`, async () => {
    await render('<p>use-0</p>');
    const browser = await getBrowser();
    const [page] = await pagesShowing(browser, 'use-0');
    assert.ok(page);
    let uses = 1;
    while (!page.isClosed() && uses <= MAX_SHARED_PAGE_USES) {
      await render(`<p>use-${uses}</p>`);
      uses += 1;
    }
    assert.equal(page.isClosed(), true, 'the page was closed');
    assert.ok(uses <= MAX_SHARED_PAGE_USES, `closed after at most ${MAX_SHARED_PAGE_USES} documents`);
    await render('<p>after-replacement</p>');
    const [replacement] = await pagesShowing(browser, 'after-replacement');
    assert.ok(replacement && replacement !== page);
  });
  it('prints the same PDF whether it is read in one message or as a stream', async () => {
    const html = `<style>@page { size: Letter landscape }</style>${'<p>stream or message</p>'.repeat(400)}`;
    const options = renderOptionsSchema.parse({ preferCSSPageSize: true });
    const limits = { maxPages: 100, allowPrivateNetwork: false };
    const inMessage = await renderPdf(html, options, {
      ...limits,
      deadline: Date.now() + 20_000,
      streamPdf: false,
    });
    const asStream = await renderPdf(html, options, {
      ...limits,
      deadline: Date.now() + 20_000,
      streamPdf: true,
    });
    const [a, b] = await Promise.all([parsePdf(inMessage.file.bytes), parsePdf(asStream.file.bytes)]);
    assert.ok(a.pages > 1);
    assert.deepEqual(b.pageTexts, a.pageTexts);
    assert.deepEqual(b.pageSizes, a.pageSizes);
    assert.deepEqual(a.pageSizes[0], { width: 792, height: 612 });
  });
  it('prints a web font in its own face', async () => {
    const font = readFileSync(LIBERATION_BOLD_ITALIC).toString('base64');
    const pdf = await render(`<style>
      @font-face { font-family: 'Probe'; src: url(data:font/ttf;base64,${font}) format('truetype'); }
      p { font-family: 'Probe', serif }</style><p>web font</p>`);
    assert.deepEqual(await fontNames(pdf.file.bytes), ['LiberationSans-BoldItalic']);
  });
  it(`keeps at most ${MAX_IDLE_SHARED} idle pages after a burst of documents`, async () => {
    const burst = MAX_IDLE_SHARED + 4;
    await Promise.all(Array.from({ length: burst }, (_, n) => render(`<p>burst-${n}</p>`)));
    const browser = await getBrowser();
    const count = async () => {
      let showing = 0;
      for (let n = 0; n < burst; n += 1) showing += (await pagesShowing(browser, `burst-${n}<`)).length;
      return showing;
    };
    // Pages past the pool close in the background, after their PDFs were returned (bounded wait).
    // The pool may also hold the private-network page of an earlier test; a page may be opening ahead.
    const open = async () => (await browser.pages()).filter((page) => !page.isClosed()).length;
    for (let attempt = 0; attempt < 50 && (await open()) > MAX_IDLE_SHARED + 1; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok((await open()) <= MAX_IDLE_SHARED + 1, 'pages beyond the pool were closed');
    const showing = await count();
    assert.ok(showing >= MAX_IDLE_SHARED - 1 && showing <= MAX_IDLE_SHARED, `${showing} burst pages kept`);
  });
});
