import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, CDPSession, Page, Protocol } from 'puppeteer-core';
import { MAX_PDF_PAGES } from '../../src/domain/limits.ts';
import { renderOptionsSchema } from '../../src/domain/render-request.ts';
import { getBrowser } from '../../src/renderer/browser.ts';
import { egressProxyUrl } from '../../src/renderer/egress.ts';
import { closeRenderer } from '../../src/renderer/pages.ts';
import { printToPdf, toPrintParams } from '../../src/renderer/print.ts';
import { renderPdf } from '../../src/renderer/render.ts';
import { onCleanup } from '../cleanup.ts';
import type { DocumentId } from '../fixtures/documents.ts';
import { interleave, type Step } from '../interleave.ts';
import { ms, progress } from '../progress.ts';
import { round, summarize } from '../stats.ts';
import { closeBrowserSafely, launchBrowser, singleProcessLaunchSpec } from '../systems/chromium.ts';
import { makeTarget, type Scenario } from './types.ts';

/**
 * What tenant isolation costs, per document, against the renderer podpdf had before it (same run,
 * steps interleaved): a single-process Chromium whose pages guard their loads through the Fetch
 * domain, script-free documents in one shared page. The candidates between the two show what each
 * mechanism costs on its own; "podpdf" is renderPdf() as it ships.
 */

const OPTIONS = renderOptionsSchema.parse({});
const PRINT = toPrintParams(OPTIONS, MAX_PDF_PAGES);

/** The target: podpdf's p50 on the invoice may be this much above the pre-isolation renderer's. */
const INVOICE_ADDED_MS_TARGET = 8;

/** Sub-resources of the generated document that loads everything from a server. */
const SUBRESOURCES = 40;

interface GuardedPage {
  page: Page;
  session: CDPSession;
}

/** The pre-isolation page: its own CDP session pausing every web request for a verdict (here: allow). */
const openFetchGuardedPage = async (browser: Browser, javaScript: boolean): Promise<GuardedPage> => {
  const page = await browser.newPage();
  const session = await page.createCDPSession();
  session.on('Fetch.requestPaused', (event: Protocol.Fetch.RequestPausedEvent) => {
    session.send('Fetch.continueRequest', { requestId: event.requestId }).catch(() => undefined);
  });
  await session.send('Fetch.enable', { patterns: [{ urlPattern: 'http://*' }, { urlPattern: 'https://*' }] });
  if (!javaScript) await page.setJavaScriptEnabled(false);
  return { page, session };
};

/** A page in a browser context of its own behind podpdf's egress proxy, as pages.ts opens them. */
const openContextPage = async (browser: Browser, allowPrivateNetwork: boolean): Promise<GuardedPage> => {
  const context = await browser.createBrowserContext({
    proxyServer: await egressProxyUrl(allowPrivateNetwork),
    proxyBypassList: ['<-loopback>'],
  });
  const page = await context.newPage();
  return { page, session: await page.createCDPSession() };
};

const print = async ({ page, session }: GuardedPage, html: string) => {
  await page.setContent(html, { waitUntil: 'load', timeout: 0 });
  return printToPdf(session, PRINT, { stream: false, waitForFonts: true, deadline: Date.now() + 30_000 });
};

/** A page per document opened ahead of it, as the pre-isolation renderer did for documents with script. */
const pageAhead = (browser: Browser) => {
  let next = openFetchGuardedPage(browser, true);
  return async (html: string) => {
    const guarded = await next;
    try {
      return await print(guarded, html);
    } finally {
      await guarded.page.close();
      next = openFetchGuardedPage(browser, true);
    }
  };
};

/** A loopback "site" answering every path with a small PNG, long-cacheable. */
const startAssetServer = async (): Promise<{ server: Server; port: number }> => {
  const pixel = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
    'base64',
  );
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'max-age=3600' }).end(pixel);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
};

const subresourceDocument = (port: number): string =>
  `<h1>Sub-resources</h1>${Array.from(
    { length: SUBRESOURCES },
    (_, n) => `<img src="http://127.0.0.1:${port}/img/${n}.png" width="40" height="40">`,
  ).join('')}`;

interface Row {
  step: string;
  p50Ms: number;
  p95Ms: number;
  addedMs: number;
}

const measure = async (
  label: string,
  steps: Step[],
  iterations: number,
  settleMs: number,
): Promise<Row[]> => {
  progress(`isolation ${label}: ${iterations} iterations of ${steps.length} steps`);
  const samples = await interleave(steps, iterations, settleMs);
  const before = summarize(samples.get(steps[0]?.name ?? '') ?? []).p50;
  return steps.map((step) => {
    const summary = summarize(samples.get(step.name) ?? []);
    return {
      step: step.name,
      p50Ms: round(summary.p50),
      p95Ms: round(summary.p95),
      addedMs: round(summary.p50 - before),
    };
  });
};

const format = (label: string, rows: Row[]): string => {
  const width = Math.max(...rows.map((r) => r.step.length));
  return [
    `  ${label}:`,
    ...rows.map(
      (r, i) =>
        `    ${r.step.padEnd(width)}  p50 ${ms(r.p50Ms).padStart(9)}  p95 ${ms(r.p95Ms).padStart(9)}` +
        (i === 0 ? '' : `  (${r.addedMs >= 0 ? '+' : ''}${r.addedMs.toFixed(1)} ms)`),
    ),
  ].join('\n');
};

export const isolationScenario: Scenario = {
  id: 'isolation',
  title: 'What tenant isolation costs, against the pre-isolation renderer',
  usesWarmSystems: false,
  run: async (ctx) => {
    const { iterations, documents } = ctx.plan.isolation;
    const before = await launchBrowser(await singleProcessLaunchSpec());
    const assets = await startAssetServer();
    const unregister = onCleanup(async () => {
      await closeBrowserSafely(before);
      await closeRenderer();
      assets.server.close();
    });
    const results: Record<string, Row[]> = {};
    try {
      const isolated = await getBrowser();
      const limits = (allowPrivateNetwork = false) => ({
        deadline: Date.now() + 30_000,
        maxPages: MAX_PDF_PAGES,
        allowPrivateNetwork,
        streamPdf: false,
      });
      const sharedBefore = await openFetchGuardedPage(before, false);
      const contextOnly = await openContextPage(isolated, false);
      await contextOnly.page.setJavaScriptEnabled(false);
      const clearedOnPath = await openContextPage(isolated, false);
      await clearedOnPath.page.setJavaScriptEnabled(false);
      const scriptBefore = pageAhead(before);
      for (const id of documents) {
        const { html } = ctx.document(id);
        const withScript = `${html}<script>void 0</script>`;
        results[id] = await measure(
          id,
          [
            {
              name: 'before: single process, one shared page, Fetch guard',
              run: () => print(sharedBefore, html),
            },
            { name: 'shared page in a context of its own, not cleared', run: () => print(contextOnly, html) },
            {
              name: '+ cookies and cache cleared before each document',
              run: async () => {
                await clearedOnPath.session.send('Network.clearBrowserCookies');
                await clearedOnPath.session.send('Network.clearBrowserCache');
                return print(clearedOnPath, html);
              },
            },
            {
              name: 'podpdf: renderPdf(), cleared after each document',
              run: () => renderPdf(html, OPTIONS, limits()),
            },
            {
              name: 'a new context per document, on the critical path',
              run: async () => {
                const own = await openContextPage(isolated, false);
                try {
                  return await print(own, html);
                } finally {
                  await own.page.browserContext().close();
                }
              },
            },
            { name: 'with script, before: page opened ahead', run: () => scriptBefore(withScript) },
            {
              name: 'with script, podpdf: context opened ahead, closed after',
              run: () => renderPdf(withScript, OPTIONS, limits()),
            },
          ],
          iterations,
          ctx.plan.settleMs,
        );
      }
      const allowAll = await openFetchGuardedPage(before, false);
      const loading = subresourceDocument(assets.port);
      results[`${SUBRESOURCES} sub-resources`] = await measure(
        `${SUBRESOURCES} sub-resources`,
        [
          { name: 'before: Fetch guard, shared HTTP cache', run: () => print(allowAll, loading) },
          {
            name: 'before: Fetch guard, cache cleared',
            run: async () => {
              await allowAll.session.send('Network.clearBrowserCache');
              return print(allowAll, loading);
            },
          },
          {
            name: 'podpdf: through the egress proxy, cache cleared',
            run: () => renderPdf(loading, OPTIONS, limits(true)),
          },
        ],
        iterations,
        ctx.plan.settleMs,
      );
    } finally {
      unregister();
      await closeBrowserSafely(before);
      await closeRenderer();
      assets.server.close();
    }
    const podpdfStep = 'podpdf: renderPdf(), cleared after each document';
    const invoice = results.invoice;
    const added = invoice?.find((r) => r.step === podpdfStep)?.addedMs ?? Number.NaN;
    const baseline = invoice?.[0]?.p50Ms ?? Number.NaN;
    return {
      status: 'done',
      rows: [],
      targets: invoice
        ? [
            makeTarget({
              id: 'isolation-invoice-added',
              description: `isolation adds ≤ ${INVOICE_ADDED_MS_TARGET} ms at p50 on the invoice`,
              measured: added,
              threshold: INVOICE_ADDED_MS_TARGET,
              comparison: '<=',
              basis: `podpdf ${ms(baseline + added)} vs before ${ms(baseline)}`,
            }),
          ]
        : [],
      details: { isolation: results },
      text: [
        'What isolation costs (in-process, p50 of each step, steps interleaved; added vs the first line):',
        ...Object.entries(results).map(([label, rows]) => format(label as DocumentId | string, rows)),
      ].join('\n'),
    };
  },
};
