/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, SerializedAXNode } from 'puppeteer-core';
import { CONTENT_SECURITY_POLICY } from '../../src/console/assets.ts';
import {
  isLoopback,
  launchBrowser,
  shoot,
  tabTo,
  visibleText,
  waitForText,
  watch,
} from '../helpers/console-browser.ts';
import { isPdf, parsePdf } from '../helpers/pdf.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';

/**
 * The web console in real headless Chromium against the local stack: a person with only a keyboard
 * and their API key renders a template, sees the PDF, submits a long job and downloads it once it
 * completed. The assertions read what is visible (innerText, the accessibility tree, screenshots in
 * .tmp/console/), not only the DOM. console-jobs.test.ts covers queued jobs and Cancel.
 */

describe('web console', () => {
  let stack: TestStack;
  let browser: Browser;

  before(async () => {
    stack = await startTestStack();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('serves the page and its assets with a strict Content-Security-Policy', async () => {
    for (const path of ['/', '/console/console.js', '/console/console.css']) {
      const response = await fetch(`${stack.url}${path}`);
      assert.equal(response.status, 200, path);
      assert.equal(response.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY, path);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(response.headers.get('referrer-policy'), 'no-referrer', path);
      assert.equal(response.headers.get('x-frame-options'), 'DENY', path);
    }
    assert.match(CONTENT_SECURITY_POLICY, /default-src 'none'/);
    assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-inline|unsafe-eval|https?:/);
    const schema = await (await fetch(`${stack.url}/console/render-options.schema.json`)).json();
    assert.deepEqual(schema.properties.format.enum, ['A3', 'A4', 'A5', 'Letter', 'Legal', 'Tabloid']);
    const missing = await fetch(`${stack.url}/console/..%2Fpackage.json`);
    assert.equal(missing.status, 404);
    assert.equal((await fetch(`${stack.url}/console/secrets.txt`)).status, 404);
  });

  it('renders a template with the keyboard alone, shows the PDF, then runs a long job to its download', async () => {
    const page = await browser.newPage();
    const { requests, messages } = watch(page);
    // What the page sent to POST /quickjob and the headers it got back. (The PDF body of a fetch
    // answer is not readable over CDP once the page consumed it: the test sends the same request.)
    const quickjobs: { request: string; headers: Record<string, string> }[] = [];
    page.on('response', (response) => {
      if (response.url().endsWith('/quickjob') && response.status() === 200)
        quickjobs.push({ request: response.request().postData() ?? '', headers: response.headers() });
    });
    const pdfOf = async (index: number): Promise<Buffer> => {
      const sent = quickjobs[index];
      assert.ok(sent, `quick job ${index} was sent`);
      const replay = await stack.post('/quickjob', sent.request);
      assert.equal(replay.status, 200);
      return Buffer.from(await replay.arrayBuffer());
    };
    const response = await page.goto(`${stack.url}/`, { waitUntil: 'load' });
    assert.equal(response?.status(), 200);
    assert.equal(response?.headers()['content-security-policy'], CONTENT_SECURITY_POLICY);
    await page.waitForSelector('#opt-format');

    // Labels: the accessibility tree names each control by its label.
    const named: string[] = [];
    const walk = (node: SerializedAXNode | null | undefined): void => {
      if (!node) return;
      named.push(`${node.role} ${JSON.stringify(node.name)}`);
      for (const child of node.children ?? []) walk(child);
    };
    walk(await page.accessibility.snapshot({ interestingOnly: true }));
    for (const [role, name] of [
      ['textbox', 'API key'],
      ['combobox', 'Starter template'],
      ['textbox', 'HTML'],
      ['combobox', 'Paper format'],
      ['checkbox', 'Landscape'],
      ['spinbutton', 'Scale'],
      ['checkbox', 'Print backgrounds'],
      ['button', 'Render'],
      ['button', 'Render as long job'],
    ]) {
      assert.ok(named.includes(`${role} ${JSON.stringify(name)}`), `a ${role} named ${name} in ${named}`);
    }

    // Keyboard: Tab reaches the key input first, then the template, then Render; typing enters the key.
    const toKey = await tabTo(page, 'api-key');
    assert.ok(toKey.length <= 2, `the key input comes first: ${toKey.join(' → ')}`);
    await page.keyboard.type(stack.apiKey);
    const toTemplate = await tabTo(page, 'template');
    await page.keyboard.press('ArrowDown'); // report
    await page.keyboard.press('ArrowUp'); // back to invoice
    const toRender = await tabTo(page, 'render');
    assert.ok(toTemplate.length < 10 && toRender.length < 40, `${toTemplate} / ${toRender}`);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('podpdf.apiKey')), stack.apiKey);
    await page.keyboard.press('Enter');
    await waitForText(page, /Rendered \d+ page/, 'pdf-summary', 60_000);
    await shoot(page, '1-rendered-invoice');
    const text = await visibleText(page);
    assert.match(text, /Rendered 1 page, \d+(\.\d)? kB/);
    assert.match(text, /Open the PDF/);
    // The PDF is shown inline from a blob: URL where the browser has a PDF viewer; headless Chromium
    // has none, and the console says so instead of showing an empty frame.
    const preview = await page.evaluate(() => ({
      viewer: navigator.pdfViewerEnabled,
      frame: (document.getElementById('pdf-frame') as HTMLIFrameElement).hidden,
      link: (document.getElementById('pdf-link') as HTMLAnchorElement).href,
    }));
    assert.match(preview.link, /^blob:http:\/\/127\.0\.0\.1:\d+\//);
    assert.equal(preview.frame, !preview.viewer);
    if (!preview.viewer) assert.match(text, /This browser shows no PDF inline/);
    assert.equal(quickjobs[0]?.headers['x-pdf-pages'], '1');
    const shownKb = Number(/Rendered 1 page, ([\d.]+) kB/.exec(text)?.[1]);
    assert.equal(shownKb, Number((Number(quickjobs[0]?.headers['content-length']) / 1024).toFixed(1)));
    const invoice = await pdfOf(0);
    assert.ok(isPdf(invoice));
    const parsed = await parsePdf(invoice);
    assert.equal(parsed.pages, 1);
    assert.match(parsed.pageTexts[0] ?? '', /Invoice/);
    assert.ok((parsed.pageSizes[0]?.height ?? 0) > (parsed.pageSizes[0]?.width ?? 0), 'portrait by default');

    // An option from the generated form reaches the request: landscape, then render the report.
    await page.select('#template', 'report');
    await page.click('#opt-landscape');
    await page.click('#render');
    await waitForText(page, /Rendered 2 pages/, 'pdf-summary', 60_000);
    await shoot(page, '2-rendered-report-landscape');
    assert.match(quickjobs[1]?.request ?? '', /"landscape":true/);
    const report = await parsePdf(await pdfOf(1));
    assert.equal(report.pages, 2);
    assert.ok((report.pageSizes[0]?.width ?? 0) > (report.pageSizes[0]?.height ?? 0), 'landscape');

    // A long job: the console switches to the jobs page, which polls until it completes.
    await page.click('#render-long');
    await page.waitForFunction(() => location.hash === '#jobs');
    await page.waitForSelector('#jobs-body tr[data-status="completed"] a.button', { timeout: 90_000 });
    await waitForText(page, /updates paused/, 'poll-status', 10_000);
    await shoot(page, '3-jobs-completed');
    const jobsText = await visibleText(page);
    assert.match(jobsText, /long\s+completed\s+2 pages\s+Download/);
    assert.match(jobsText, /quick\s+completed\s+1 page/);
    assert.match(jobsText, /No active jobs: updates paused/);
    assert.doesNotMatch(jobsText, /Cancel/);
    const href = await page.$eval(
      '#jobs-body tr[data-status="completed"] a.button',
      (link) => (link as HTMLAnchorElement).href,
    );
    assert.ok(isLoopback(href), `the local S3 emulator serves the download: ${href}`);
    const download = await fetch(href);
    assert.equal(download.status, 200);
    const longPdf = Buffer.from(await download.arrayBuffer());
    assert.ok(isPdf(longPdf));
    assert.equal((await parsePdf(longPdf)).pages, 2);

    // Nothing left the machine; no URL carried the key; the page broke none of its own policy.
    assert.deepEqual(
      requests.filter((url) => !isLoopback(url)),
      [],
    );
    assert.ok(!requests.some((url) => url.includes(stack.apiKey)), 'the key is never in a URL');
    assert.ok(!page.url().includes(stack.apiKey));
    assert.deepEqual(
      messages.filter((m) => /Content Security Policy|pageerror/i.test(m)),
      [],
    );
    await page.close();
  });
});
