import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { getJob } from '../../src/adapters/jobs-table.ts';
import { MAX_REQUEST_BODY_BYTES } from '../../src/domain/limits.ts';
import { useHostResolver } from '../../src/net/address-policy.ts';
import { getLaunchCount } from '../../src/renderer/browser.ts';
import { parseServerTiming } from '../../src/util/timings.ts';
import { isPdf, isTagged, parsePdf, pdfInfo, pdfOutline } from '../helpers/pdf.ts';
import { pngBomb } from '../helpers/png-bomb.ts';
import { pagedHtml, startTestStack, type TestStack } from '../helpers/stack.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const errorOf = async (res: Response) =>
  ((await res.json()) as { error: { code: string; message: string; details: unknown } }).error;

describe('POST /quickjob', () => {
  let stack: TestStack;
  before(async () => {
    stack = await startTestStack();
  });
  after(async () => {
    await stack.stop();
  });

  it('returns the PDF inline with page headers and records the job', async () => {
    const res = await stack.post('/quickjob', { input_type: 'html', html: pagedHtml(3, 'Invoice page') });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/pdf');
    assert.equal(res.headers.get('x-pdf-pages'), '3');
    assert.equal(res.headers.get('x-pdf-truncated'), 'false');
    const jobId = res.headers.get('x-job-id') ?? '';
    assert.match(jobId, UUID);
    const bytes = new Uint8Array(await res.arrayBuffer());
    assert.ok(isPdf(bytes));
    const pdf = await parsePdf(bytes);
    assert.equal(pdf.pages, 3);
    assert.deepEqual(pdf.pageTexts, ['Invoice page 1 of 3', 'Invoice page 2 of 3', 'Invoice page 3 of 3']);

    const row = await getJob(jobId);
    assert.ok(row);
    assert.equal(row.owner, stack.accounts[0]?.user_id);
    assert.equal(row.job_type, 'quick');
    assert.equal(row.status, 'completed');
    assert.equal(row.mode, 'html');
    assert.equal(row.pages, 3);
    assert.equal(row.truncated, false);
    assert.equal(row.timeout_occurred, false);
    assert.ok(Date.parse(row.completed_at ?? '') >= Date.parse(row.created_at));
    assert.ok((row.duration_ms ?? -1) >= 0);
    assert.ok(row.ttl > Date.now() / 1000 + 29 * 24 * 3600, 'ttl about 30 days ahead');
  });

  it('tells where the time went in Server-Timing, on a PDF and on an error alike', async () => {
    const res = await stack.post('/quickjob', { input_type: 'html', html: pagedHtml(150) });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    const spans = parseServerTiming(res.headers.get('server-timing') ?? '');
    // The admission runs alongside the page and the load: its place among them varies.
    assert.deepEqual([...spans.keys()].sort(), [
      'admit',
      'auth',
      'count',
      'load',
      'page',
      'print',
      'record',
      'total',
      'truncate',
      'validate',
    ]);
    const total = spans.get('total') ?? 0;
    const parts = [...spans]
      .filter(([name]) => name !== 'total' && name !== 'admit') // admit overlaps page and load
      .reduce((sum, [, ms]) => sum + ms, 0);
    assert.ok(total >= parts - 1, `total ${total} ms covers its parts (${parts} ms)`);
    assert.ok((spans.get('print') ?? 0) > 0);

    const refused = await stack.post('/quickjob', { input_type: 'html', html: '' });
    assert.equal(refused.status, 400);
    assert.deepEqual(
      [...parseServerTiming(refused.headers.get('server-timing') ?? '').keys()],
      ['auth', 'validate', 'admit', 'total'],
    );
  });

  it('refuses up front a URL whose host is loopback, private or the metadata service, on both endpoints', async () => {
    useHostResolver(async (host) => (host === 'intranet.test' ? [{ address: '10.1.2.3', family: 4 }] : []));
    try {
      for (const url of [
        'http://127.0.0.1:9/',
        'http://localhost/',
        'http://[::1]/',
        'http://169.254.169.254/latest/meta-data/',
        'http://intranet.test/',
        'http://nowhere.test/',
      ]) {
        for (const path of ['/quickjob', '/longjob']) {
          const res = await stack.post(path, { input_type: 'url', url });
          assert.equal(res.status, 400, `${path} ${url}`);
          const error = await errorOf(res);
          assert.equal(error.code, 'URL_NOT_ALLOWED', `${path} ${url}`);
          assert.equal((error.details as { url: string }).url, url);
          assert.equal(res.headers.get('x-job-id'), null, 'no job is created');
        }
      }
    } finally {
      useHostResolver(undefined);
    }
  });

  it('truncates a 150-page document to its first 100 pages', async () => {
    const res = await stack.post('/quickjob', { input_type: 'html', html: pagedHtml(150) });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-pdf-pages'), '100');
    assert.equal(res.headers.get('x-pdf-truncated'), 'true');
    const pdf = await parsePdf(new Uint8Array(await res.arrayBuffer()));
    assert.equal(pdf.pages, 100);
    assert.equal(pdf.pageTexts[0], 'Page 1 of 150');
    assert.equal(pdf.pageTexts[99], 'Page 100 of 150');
    const row = await getJob(res.headers.get('x-job-id') ?? '');
    assert.equal(row?.pages, 100);
    assert.equal(row?.truncated, true);
  });

  it('keeps a document of exactly 100 pages whole', async () => {
    const res = await stack.post('/quickjob', { input_type: 'html', html: pagedHtml(100) });
    assert.equal(res.headers.get('x-pdf-pages'), '100');
    assert.equal(res.headers.get('x-pdf-truncated'), 'false');
  });

  it('applies print options: page ranges, landscape, header and footer', async () => {
    const res = await stack.post('/quickjob', {
      input_type: 'html',
      html: pagedHtml(5),
      options: {
        pageRanges: '2-3',
        landscape: true,
        format: 'A5',
        margin: { top: '20mm', bottom: '20mm' },
        displayHeaderFooter: true,
        footerTemplate: '<div style="font-size:10px">Footer <span class="pageNumber"></span></div>',
      },
    });
    assert.equal(res.status, 200);
    const pdf = await parsePdf(new Uint8Array(await res.arrayBuffer()));
    assert.equal(pdf.pages, 2);
    assert.match(pdf.pageTexts[0] ?? '', /Page 2 of 5/);
    assert.match(pdf.pageTexts[0] ?? '', /Footer 2/);
    // A landscape A5 page: 8.27 × 5.83 in, 596 × 420 points.
    assert.deepEqual(pdf.pageSizes[0], { width: 596, height: 420 });
  });

  it('names the download, default and given, and writes metadata, outline and paper', async () => {
    const plain = await stack.post('/quickjob', { input_type: 'html', html: '<p>x</p>' });
    assert.equal(plain.status, 200);
    await plain.arrayBuffer();
    assert.equal(
      plain.headers.get('content-disposition'),
      `inline; filename="${plain.headers.get('x-job-id')}.pdf"`,
    );

    const res = await stack.post('/quickjob', {
      input_type: 'html',
      html: '<!DOCTYPE html><html lang="de"><title>Entwurf</title><h1>Rechnung</h1><h2>Posten</h2></html>',
      options: {
        filename: 'Rechnung März – 東京',
        metadata: {
          title: 'Rechnung März – 東京',
          author: 'Zoë',
          subject: 'Rechnung (März)',
          keywords: 'rechnung, märz',
          creator: 'ERP',
          creationDate: '2026-03-01T09:30:00+01:00',
        },
        outline: true,
        width: '4in',
        height: '6in',
      },
    });
    assert.equal(res.status, 200);
    assert.equal(
      res.headers.get('content-disposition'),
      `inline; filename="Rechnung Marz _ __.pdf"; filename*=UTF-8''Rechnung%20M%C3%A4rz%20%E2%80%93%20%E6%9D%B1%E4%BA%AC.pdf`,
    );
    const bytes = new Uint8Array(await res.arrayBuffer());
    assert.equal(res.headers.get('content-length'), String(bytes.byteLength));
    const info = await pdfInfo(bytes);
    assert.deepEqual(
      [info.Title, info.Author, info.Subject, info.Keywords, info.Creator, info.CreationDate],
      ['Rechnung März – 東京', 'Zoë', 'Rechnung (März)', 'rechnung, märz', 'ERP', "D:20260301093000+01'00'"],
    );
    assert.deepEqual(await pdfOutline(bytes), [
      { title: 'Rechnung', items: [{ title: 'Posten', items: [] }] },
    ]);
    assert.deepEqual((await parsePdf(bytes)).pageSizes[0], { width: 288, height: 432 });
    const spans = parseServerTiming(res.headers.get('server-timing') ?? '');
    assert.ok(spans.has('metadata'), 'the metadata update is timed');
  });

  it('refuses format with custom paper, an outline without tags and a path as filename', async () => {
    const res = await stack.post('/quickjob', {
      input_type: 'html',
      html: '<p>x</p>',
      options: { format: 'A4', width: '4in', height: '6in', outline: true, tagged: false, filename: '../x' },
    });
    assert.equal(res.status, 400);
    const error = await errorOf(res);
    assert.equal(error.code, 'VALIDATION_FAILED');
    const issues = (error.details as { issues: Array<{ path: string; message: string }> }).issues;
    assert.deepEqual(issues.map((i) => i.path).sort(), [
      'options.filename',
      'options.format',
      'options.outline',
    ]);
    assert.match(issues.find((i) => i.path === 'options.format')?.message ?? '', /not both/);
  });

  it('prints a tagged PDF unless told not to', async () => {
    const print = async (options: Record<string, unknown>) => {
      const res = await stack.post('/quickjob', { input_type: 'html', html: pagedHtml(2), options });
      assert.equal(res.status, 200);
      return new Uint8Array(await res.arrayBuffer());
    };
    const tagged = await print({});
    const untagged = await print({ tagged: false });
    assert.equal(await isTagged(tagged), true);
    assert.equal(await isTagged(untagged), false);
    assert.deepEqual((await parsePdf(untagged)).pageTexts, (await parsePdf(tagged)).pageTexts);
  });

  it('reuses one Chromium across requests', async () => {
    const before = getLaunchCount();
    assert.ok(before >= 1);
    for (let i = 0; i < 3; i += 1) {
      const res = await stack.post('/quickjob', { input_type: 'html', html: `<p>render ${i}</p>` });
      assert.equal(res.status, 200);
    }
    assert.equal(getLaunchCount(), before);
  });

  it('accepts the key in X-API-Key', async () => {
    const res = await stack.post(
      '/quickjob',
      { input_type: 'html', html: '<p>x</p>' },
      {
        authorization: '',
        'x-api-key': stack.apiKey,
      },
    );
    assert.equal(res.status, 200);
  });

  it('refuses a missing or unknown API key with 401', async () => {
    const missing = await stack.post('/quickjob', { input_type: 'html', html: 'x' }, { authorization: '' });
    assert.equal(missing.status, 401);
    assert.equal((await errorOf(missing)).code, 'UNAUTHORIZED');
    const unknown = await stack.post(
      '/quickjob',
      { input_type: 'html', html: 'x' },
      { authorization: 'Bearer nope' },
    );
    assert.equal(unknown.status, 401);
    assert.equal((await errorOf(unknown)).code, 'UNAUTHORIZED');
  });

  it('refuses malformed JSON, schema violations and wrong content types', async () => {
    const malformed = await stack.post('/quickjob', '{"input_type": "html",');
    assert.equal(malformed.status, 400);
    assert.equal((await errorOf(malformed)).code, 'INVALID_JSON');

    const invalid = await stack.post('/quickjob', { input_type: 'html', html: '', options: { scale: 5 } });
    assert.equal(invalid.status, 400);
    const err = await errorOf(invalid);
    assert.equal(err.code, 'VALIDATION_FAILED');
    const paths = (err.details as { issues: Array<{ path: string }> }).issues.map((i) => i.path).sort();
    assert.deepEqual(paths, ['html', 'options.scale']);
    const unknownType = await errorOf(await stack.post('/quickjob', { input_type: 'pdf', html: 'x' }));
    assert.deepEqual(unknownType.details, {
      issues: [{ path: 'input_type', message: 'input_type must be "html", "markdown" or "url"' }],
    });

    const text = await stack.post('/quickjob', '<h1>hi</h1>', { 'content-type': 'text/html' });
    assert.equal(text.status, 415);
    assert.equal((await errorOf(text)).code, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses a body over the documented limit with 413', async () => {
    const html = 'x'.repeat(MAX_REQUEST_BODY_BYTES);
    const res = await stack.post('/quickjob', { input_type: 'html', html });
    assert.equal(res.status, 413);
    const err = await errorOf(res);
    assert.equal(err.code, 'PAYLOAD_TOO_LARGE');
    assert.equal((err.details as { limit_bytes: number }).limit_bytes, MAX_REQUEST_BODY_BYTES);
  });

  it('refuses up front a document estimated to take too long, pointing to /longjob', async () => {
    const rows = '<tr><td>1</td><td>2</td><td>3</td><td>4</td><td>5</td><td>6</td></tr>'.repeat(25_000);
    const res = await stack.post('/quickjob', { input_type: 'html', html: `<table>${rows}</table>` });
    assert.equal(res.status, 422);
    assert.equal(res.headers.get('x-job-id'), null);
    const err = await errorOf(res);
    assert.equal(err.code, 'QUICKJOB_TOO_COMPLEX');
    assert.match(err.message, /\/longjob/);
  });

  it('answers 400 for page ranges outside the document and records the failure', async () => {
    const res = await stack.post('/quickjob', {
      input_type: 'html',
      html: '<p>one page</p>',
      options: { pageRanges: '4-6' },
    });
    assert.equal(res.status, 400);
    assert.equal((await errorOf(res)).code, 'INVALID_PAGE_RANGES');
    const row = await getJob(res.headers.get('x-job-id') ?? '');
    assert.equal(row?.status, 'failed');
    assert.equal(row?.error_code, 'INVALID_PAGE_RANGES');
  });

  it('returns 413 PDF_TOO_LARGE when the PDF would not fit a Lambda response', async () => {
    // Canvases of random pixels do not compress: three 1200x1200 sheets make a PDF of well over 6 MB.
    const html = `<body style="margin:0">${'<canvas width="1200" height="1200"></canvas>'.repeat(3)}<script>
      for (const canvas of document.querySelectorAll('canvas')) {
        const ctx = canvas.getContext('2d');
        const img = ctx.createImageData(canvas.width, canvas.height);
        for (let i = 0; i < img.data.length; i += 1) img.data[i] = (i % 4 === 3) ? 255 : Math.random() * 256;
        ctx.putImageData(img, 0, 0);
      }</script></body>`;
    const res = await stack.post('/quickjob', { input_type: 'html', html });
    assert.equal(res.status, 413);
    const err = await errorOf(res);
    assert.equal(err.code, 'PDF_TOO_LARGE');
    assert.match(err.message, /\/longjob/);
    const row = await getJob(res.headers.get('x-job-id') ?? '');
    assert.equal(row?.status, 'failed');
    assert.equal(row?.error_code, 'PDF_TOO_LARGE');
  });

  it('does not let a document read loopback services or local files', async () => {
    let hits = 0;
    const secret = createServer((_req, res) => {
      hits += 1;
      res.end('SECRET-METADATA-TOKEN');
    });
    await new Promise<void>((resolve) => secret.listen(0, '127.0.0.1', resolve));
    const { port } = secret.address() as AddressInfo;
    try {
      const html = `<p>visible</p><iframe src="http://127.0.0.1:${port}/latest/meta-data"></iframe>
        <iframe src="file:///etc/hostname"></iframe><img src="http://localhost:${port}/x.png">`;
      const res = await stack.post('/quickjob', { input_type: 'html', html });
      assert.equal(res.status, 200);
      const pdf = await parsePdf(new Uint8Array(await res.arrayBuffer()));
      assert.match(pdf.pageTexts.join(' '), /visible/);
      assert.doesNotMatch(pdf.pageTexts.join(' '), /SECRET-METADATA-TOKEN/);
      assert.equal(hits, 0);
    } finally {
      secret.close();
    }
  });

  it('refuses a data: PNG bomb with 400 IMAGE_TOO_LARGE before rendering, and still renders a normal data: PNG', async () => {
    const bomb = pngBomb(20_000, 20_000);
    assert.ok(bomb.length < 100_000, `the bomb is ${bomb.length} bytes`);
    const started = Date.now();
    const res = await stack.post('/quickjob', {
      input_type: 'html',
      html: `<p>bomb</p><img src="data:image/png;base64,${bomb.toString('base64')}">`,
    });
    const ms = Date.now() - started;
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('x-job-id'), null, 'no job was created');
    const err = await errorOf(res);
    assert.equal(err.code, 'IMAGE_TOO_LARGE');
    assert.deepEqual(
      [(err.details as { width: number }).width, (err.details as { height: number }).height],
      [20_000, 20_000],
    );
    assert.ok(ms < 1_000, `refused after ${ms} ms`);

    const longjob = await stack.post('/longjob', {
      input_type: 'html',
      html: '<p>x</p>',
      options: { headerTemplate: `<img src="data:image/png;base64,${bomb.toString('base64')}">` },
    });
    assert.equal(longjob.status, 400);
    assert.equal((await errorOf(longjob)).code, 'IMAGE_TOO_LARGE');

    const logo = pngBomb(600, 200).toString('base64');
    const ok = await stack.post('/quickjob', {
      input_type: 'html',
      html: `<p>with a logo</p><img src="data:image/png;base64,${logo}" style="width:60mm">`,
    });
    assert.equal(ok.status, 200);
    const bytes = new Uint8Array(await ok.arrayBuffer());
    assert.match((await parsePdf(bytes)).pageTexts.join(' '), /with a logo/);
    assert.match(Buffer.from(bytes).toString('latin1'), /\/Subtype\s*\/Image/, 'the PDF holds the image');
  });

  it('refuses up front what Chromium would fail on: margins, page numbers, loading templates, deep nesting', async () => {
    const refusal = async (path: string, options: unknown, html = '<p>x</p>') => {
      const res = await stack.post(path, { input_type: 'html', html, options });
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('x-job-id'), null);
      return errorOf(res);
    };
    const margins = await refusal('/quickjob', { margin: { top: '6in', bottom: '6in' } });
    assert.equal(margins.code, 'VALIDATION_FAILED');
    assert.match(
      JSON.stringify(margins.details),
      /options.margin.*leave 0 in of the 11.69 in height of A4 portrait/,
    );

    const pages = await refusal('/quickjob', { pageRanges: '1-99999999999999999999999' });
    assert.equal(pages.code, 'VALIDATION_FAILED');
    assert.match(JSON.stringify(pages.details), /options.pageRanges.*highest page number accepted/);

    const template = await refusal('/quickjob', {
      displayHeaderFooter: true,
      headerTemplate: '<link rel=stylesheet href="https://example.invalid/x.css">',
      margin: { top: '20mm' },
    });
    assert.equal(template.code, 'VALIDATION_FAILED');
    assert.match(JSON.stringify(template.details), /options.headerTemplate.*found <link>/);

    for (const path of ['/quickjob', '/longjob']) {
      const deep = await refusal(path, {}, '<table><tr><td>'.repeat(10_000));
      assert.equal(deep.code, 'DOCUMENT_TOO_COMPLEX');
      assert.equal((deep.details as { depth: number }).depth, 30_000);
    }
  });
});
