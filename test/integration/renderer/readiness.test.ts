import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { renderOptionsSchema } from '../../../src/domain/render-request.ts';
import { useProjectTmpdir } from '../../../src/local/project-tmpdir.ts';
import { closeRenderer } from '../../../src/renderer/pages.ts';
import {
  ConsoleExceptionError,
  RenderTimeoutError,
  ResourceLoadingError,
  renderPdf,
  WaitError,
} from '../../../src/renderer/render.ts';
import { parsePdf } from '../../helpers/pdf.ts';

/** Text the document adds 300 ms after load: missing from a PDF printed at load. */
const LATE = `<p id="early">early</p>
<script>addEventListener('load', () => setTimeout(() => {
  const p = document.createElement('p'); p.id = 'late'; p.textContent = 'late content';
  document.body.append(p); window.ready = true;
}, 300));</script>`;

const textOf = async (options: Record<string, unknown>, html = LATE, deadlineMs = 15_000) => {
  const { file } = await renderPdf(html, renderOptionsSchema.parse(options), {
    deadline: Date.now() + deadlineMs,
    maxPages: 100,
    allowPrivateNetwork: true,
    streamPdf: false,
  });
  return (await parsePdf(file.bytes)).pageTexts.join(' ');
};

const failure = async (options: Record<string, unknown>, html: string, deadlineMs = 15_000) =>
  textOf(options, html, deadlineMs).then(
    () => assert.fail('the render should have failed'),
    (err: unknown) => err,
  );

describe('readiness: waits, media, strictness', () => {
  let server: Server;
  let origin: string;
  before(async () => {
    useProjectTmpdir();
    // /slow answers after 300 ms; /missing is a 404.
    server = createServer((req, res) => {
      res.setHeader('access-control-allow-origin', '*');
      if (req.url === '/slow') setTimeout(() => res.end('from the network'), 300);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await closeRenderer();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('prints at load by default: content added later is missing', async () => {
    const text = await textOf({});
    assert.match(text, /early/);
    assert.doesNotMatch(text, /late content/);
  });

  it('waits for a selector, an expression or a delay, and then has the late content', async () => {
    assert.match(await textOf({ waitForSelector: '#late' }), /late content/);
    assert.match(await textOf({ waitForExpression: 'window.ready === true' }), /late content/);
    assert.match(await textOf({ waitDelay: 1_000 }), /late content/);
  });

  it('waits for the network to go quiet with waitUntil networkidle', async () => {
    const html = `<p>start</p><script>fetch('${origin}/slow').then((r) => r.text()).then((t) => {
      const p = document.createElement('p'); p.textContent = t; document.body.append(p); });</script>`;
    assert.doesNotMatch(await textOf({}, html), /from the network/);
    assert.match(await textOf({ waitUntil: 'networkidle' }, html), /from the network/);
  });

  it('names the pending wait when the deadline passes', async () => {
    const err = await failure({ waitForSelector: '#never' }, '<p>x</p>', 1_500);
    assert.ok(err instanceof RenderTimeoutError);
    assert.equal(err.waitingFor, 'waitForSelector "#never"');
    const expression = await failure({ waitForExpression: 'window.never' }, '<p>x</p>', 1_500);
    assert.ok(expression instanceof RenderTimeoutError);
    assert.equal(expression.waitingFor, 'waitForExpression');
  });

  it('fails a wait that cannot run: a bad selector, an expression that does not parse', async () => {
    const selector = await failure({ waitForSelector: 'p[' }, '<p>x</p>');
    assert.ok(selector instanceof WaitError, String(selector));
    const expression = await failure({ waitForExpression: 'window.(' }, '<p>x</p>');
    assert.ok(expression instanceof WaitError, String(expression));
    assert.equal(expression.wait, 'waitForExpression');
  });

  it('an expression runs with JavaScript on even in a document without script', async () => {
    assert.match(
      await textOf({ waitForExpression: 'document.title === "t"' }, '<title>t</title><p>static</p>'),
      /static/,
    );
  });

  it('emulates screen media when asked, print media otherwise', async () => {
    const html = `<style>@media screen { .m::before { content: 'SCREEN MEDIA' } }
      @media print { .m::before { content: 'PRINT MEDIA' } }</style><p class="m"></p>`;
    assert.match(await textOf({}, html), /PRINT MEDIA/);
    assert.match(await textOf({ emulatedMediaType: 'screen' }, html), /SCREEN MEDIA/);
  });

  it('fails on an uncaught exception only when asked', async () => {
    const html = `<p>x</p><script>throw new Error('document broke')</script>`;
    assert.match(await textOf({}, html), /x/);
    const err = await failure({ failOnConsoleExceptions: true }, html);
    assert.ok(err instanceof ConsoleExceptionError, String(err));
    assert.match(err.exceptions[0] ?? '', /document broke/);
  });

  it('fails on resources that did not load only when asked, listing them', async () => {
    const html = `<p>x</p><img src="${origin}/missing">`;
    assert.match(await textOf({}, html), /x/);
    const err = await failure({ failOnResourceLoadingFailed: true }, html);
    assert.ok(err instanceof ResourceLoadingError, String(err));
    assert.deepEqual(err.failures, [{ url: `${origin}/missing`, reason: 'HTTP 404' }]);
    assert.match(await textOf({ failOnResourceLoadingFailed: true }, `<img src="${origin}/slow">ok`), /ok/);
  });
});
