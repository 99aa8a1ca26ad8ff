import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { Browser, CDPSession, Page } from 'puppeteer-core';
import { insertJob } from '../../src/adapters/jobs-table.ts';
import { authenticate } from '../../src/app/auth.ts';
import { estimateRenderMs } from '../../src/domain/estimate.ts';
import { JobStatus, jobTtl } from '../../src/domain/job.ts';
import { MAX_PDF_PAGES, MAX_REQUEST_BODY_BYTES } from '../../src/domain/limits.ts';
import { quickjobRequestSchema, renderOptionsSchema } from '../../src/domain/render-request.ts';
import { parseWith } from '../../src/domain/validation.ts';
import { handler as quickjobHandler } from '../../src/handlers/quickjob.ts';
import { readJsonBody } from '../../src/http/request.ts';
import { pdfResponse } from '../../src/http/response.ts';
import { startLocalStack } from '../../src/local/stack.ts';
import { getBrowser } from '../../src/renderer/browser.ts';
import { egressProxyUrl } from '../../src/renderer/egress.ts';
import type { PdfFile } from '../../src/renderer/pdf-file.ts';
import { countPages, keepFirstPages } from '../../src/renderer/pdf-pages.ts';
import { printToPdf, toPrintParams } from '../../src/renderer/print.ts';
import { renderPdf } from '../../src/renderer/render.ts';
import { mayLoadWebFonts } from '../../src/renderer/script-free.ts';
import { onCleanup } from '../cleanup.ts';
import type { BenchDocument, DocumentId } from '../fixtures/documents.ts';
import { interleave, type Step } from '../interleave.ts';
import { ms, progress } from '../progress.ts';
import { round, summarize } from '../stats.ts';
import { renderInBrowser, renderInPage } from '../systems/chromium.ts';
import { createQuickjobClient, quickjobBody } from '../systems/podpdf-quickjob.ts';
import { quickjobEvent } from '../systems/quickjob-event.ts';
import type { Scenario } from './types.ts';

/**
 * Where podpdf's time goes. Everything runs in this process against one in-process local stack and its
 * one browser, so each step of the chain differs from the previous by exactly what it names:
 *
 *   the limit (a used page, page.pdf()) → + a browser context behind the egress proxy, JavaScript off, podpdf's print
 *   (pageRanges 1-101, the PDF in one CDP message): podpdf's shared page for script-free documents,
 *   re-enacted → renderPdf() (+ page pool, deadline race, page counting and, past 100 pages, pdf-lib
 *   truncation) → quickjob handler called directly (auth, JSON, zod, estimate, DynamoDB row, base64)
 *   → the same over HTTP (API Gateway bridge)
 *
 * For comparison, the same document printed in a page of its own: raw, and through renderPdf() once a
 * script tag sends it down that path. The second step re-enacts src/renderer/pages.ts; if it
 * changes, change this with it. The CPU-side pieces are also timed alone,
 * on the same PDF.
 */

const RENDER_OPTIONS = renderOptionsSchema.parse({});

/** A page set up like podpdf's shared page: its own context behind the egress proxy and CDP session, JavaScript off. */
const openGuardedPage = async (browser: Browser): Promise<{ page: Page; session: CDPSession }> => {
  const context = await browser.createBrowserContext({
    proxyServer: await egressProxyUrl(false),
    proxyBypassList: ['<-loopback>'],
  });
  const page = await context.newPage();
  const session = await page.createCDPSession();
  await page.setJavaScriptEnabled(false);
  return { page, session };
};

/** Prints as podpdf does for a quick job: its print parameters, over the page's session, in one message. */
const printInGuardedPage = async (
  guarded: { page: Page; session: CDPSession },
  html: string,
): Promise<PdfFile> => {
  await guarded.page.setContent(html, { waitUntil: 'load', timeout: 0 });
  return printToPdf(guarded.session, toPrintParams(RENDER_OPTIONS, MAX_PDF_PAGES), {
    stream: false,
    waitForFonts: mayLoadWebFonts(html),
    deadline: Date.now() + 30_000,
  });
};

const lambdaContext = (timeoutMs: number): Context => {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'podpdf-bench-quickjob',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:podpdf-bench-quickjob',
    memoryLimitInMB: '10240',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/podpdf-bench-quickjob',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};

interface StepResult {
  step: string;
  p50Ms: number;
  p95Ms: number;
  /** p50 minus the previous step's p50 (render chain only). */
  addedMs?: number;
  /** Shown for comparison, outside the chain. */
  reference?: boolean;
}

const profileDocument = async (
  doc: BenchDocument,
  iterations: number,
  settleMs: number,
  stack: { url: string; apiKey: string },
): Promise<{ chain: StepResult[]; pieces: StepResult[] }> => {
  const browser = await getBrowser();
  const body = quickjobBody(doc.html);
  const bodyText = body.toString('utf8');
  const client = createQuickjobClient(stack.url, stack.apiKey);
  const limits = () => ({
    deadline: Date.now() + 30_000,
    maxPages: MAX_PDF_PAGES,
    allowPrivateNetwork: false,
    streamPdf: false,
  });
  const expectOk = (result: { statusCode?: number; body?: string }) => {
    if (result.statusCode !== 200)
      throw new Error(`quickjob handler answered ${result.statusCode}: ${result.body}`);
  };
  const limitPage = await browser.newPage();
  const guardedPage = await openGuardedPage(browser);
  const withScript = `${doc.html}<script>void 0</script>`;
  try {
    const chainSteps: Step[] = [
      {
        name: 'limit: render into a used page (setContent, pdf)',
        run: () => renderInPage(limitPage, doc.html),
      },
      {
        name: "+ guard, JavaScript off, podpdf's print (pageRanges 1-101, one CDP message)",
        run: () => printInGuardedPage(guardedPage, doc.html),
      },
      {
        name: 'renderPdf() (+ shared page pool, deadline race, page count, truncation past 100)',
        run: () => renderPdf(doc.html, RENDER_OPTIONS, limits()),
      },
      {
        name: 'quickjob handler, no HTTP (+ auth, JSON, zod, estimate, DynamoDB job row)',
        run: async () =>
          expectOk(await quickjobHandler(quickjobEvent(bodyText, stack.apiKey), lambdaContext(29_000))),
      },
      { name: 'POST /quickjob over HTTP (+ API Gateway bridge, socket)', run: () => client.render(body) },
    ];
    const referenceSteps: Step[] = [
      {
        name: 'raw render, page of its own (newPage, setContent, pdf, close)',
        run: () => renderInBrowser(browser, doc.html),
      },
      {
        name: 'renderPdf(), with a script tag (page opened ahead, closed after)',
        run: () => renderPdf(withScript, RENDER_OPTIONS, limits()),
      },
    ];
    const chainSamples = await interleave([...chainSteps, ...referenceSteps], iterations, settleMs);
    let previous: number | undefined;
    const chain = chainSteps.map((step): StepResult => {
      const summary = summarize(chainSamples.get(step.name) ?? []);
      const result: StepResult = {
        step: step.name,
        p50Ms: round(summary.p50),
        p95Ms: round(summary.p95),
        ...(previous === undefined ? {} : { addedMs: round(summary.p50 - previous) }),
      };
      previous = summary.p50;
      return result;
    });
    for (const step of referenceSteps) {
      const summary = summarize(chainSamples.get(step.name) ?? []);
      chain.push({ step: step.name, p50Ms: round(summary.p50), p95Ms: round(summary.p95), reference: true });
    }

    // The CPU-side pieces alone, on the PDF the renderer prints for this document.
    const printed = await printInGuardedPage(guardedPage, doc.html);
    const printedPages = await countPages(printed);
    const response = pdfResponse(printed, { 'x-pdf-pages': '1', 'x-pdf-truncated': 'false' });
    const event = quickjobEvent(bodyText, stack.apiKey);
    const account = await authenticate(event);
    const pieceSteps: Step[] = [
      { name: 'auth (cached key)', run: () => authenticate(event) },
      {
        name: 'request JSON parse + zod + estimate',
        run: async () =>
          estimateRenderMs(
            parseWith(quickjobRequestSchema, readJsonBody(event, MAX_REQUEST_BODY_BYTES)).html,
          ),
      },
      {
        name: 'DynamoDB job row (dynalite PutItem)',
        run: () =>
          insertJob({
            job_id: randomUUID(),
            owner: account.user_id,
            job_type: 'quick',
            status: JobStatus.COMPLETED,
            mode: 'html',
            created_at: new Date().toISOString(),
            completed_at: new Date().toISOString(),
            duration_ms: 1,
            timeout_occurred: false,
            pages: 1,
            truncated: false,
            ttl: jobTtl(new Date()),
          }),
      },
      { name: 'page count (xref read, pdf-lib fallback)', run: () => countPages(printed) },
      ...(printedPages > MAX_PDF_PAGES
        ? [
            {
              name: `pdf-lib truncate to ${MAX_PDF_PAGES} pages`,
              run: () => keepFirstPages(printed.bytes, MAX_PDF_PAGES),
            },
          ]
        : []),
      {
        name: "response (pdfResponse: Chromium's base64 as the body)",
        run: async () => pdfResponse(printed, {}),
      },
      {
        // The bridge measures payloads by their length; it serializes one only near Lambda's 6 MB.
        name: 'bridge: response base64 decode',
        run: async () => Buffer.from(response.body as string, 'base64'),
      },
    ];
    const pieceSamples = await interleave(pieceSteps, iterations, settleMs);
    const pieces = pieceSteps.map((step): StepResult => {
      const summary = summarize(pieceSamples.get(step.name) ?? []);
      return { step: step.name, p50Ms: round(summary.p50, 3), p95Ms: round(summary.p95, 3) };
    });
    return { chain, pieces };
  } finally {
    client.close();
    await limitPage.close();
    await guardedPage.page.browserContext().close();
  }
};

const formatBreakdown = (id: DocumentId, result: { chain: StepResult[]; pieces: StepResult[] }): string => {
  const width = Math.max(...[...result.chain, ...result.pieces].map((s) => s.step.length));
  const lines = [`  ${id}:`];
  const inChain = result.chain.filter((s) => !s.reference);
  const references = result.chain.filter((s) => s.reference);
  for (const s of inChain) {
    const added = s.addedMs === undefined ? '' : `  (${s.addedMs >= 0 ? '+' : ''}${s.addedMs.toFixed(1)} ms)`;
    lines.push(`    ${s.step.padEnd(width)}  p50 ${ms(s.p50Ms).padStart(9)}${added}`);
  }
  lines.push('    for comparison, a page per document:');
  for (const s of references)
    lines.push(`    ${`  ${s.step}`.padEnd(width)}  p50 ${ms(s.p50Ms).padStart(9)}`);
  lines.push('    pieces alone:');
  for (const s of result.pieces)
    lines.push(`    ${`  ${s.step}`.padEnd(width)}  p50 ${ms(s.p50Ms).padStart(9)}`);
  return lines.join('\n');
};

export const overheadScenario: Scenario = {
  id: 'overhead',
  title: "podpdf's overhead broken down, in-process",
  usesWarmSystems: false,
  run: async (ctx) => {
    const { iterations, documents } = ctx.plan.overhead;
    const stack = await startLocalStack({ env: { PODPDF_LOG_LEVEL: 'silent' } });
    const unregister = onCleanup(() => stack.stop());
    const breakdown: Record<string, { chain: StepResult[]; pieces: StepResult[] }> = {};
    try {
      for (const id of documents) {
        progress(`overhead ${id}: ${iterations} iterations of each step`);
        const result = await profileDocument(ctx.document(id), iterations, ctx.plan.settleMs, {
          url: stack.url,
          apiKey: stack.apiKeys[0] as string,
        });
        breakdown[id] = result;
        const chain = result.chain.filter((s) => !s.reference);
        const first = chain[0]?.p50Ms ?? Number.NaN;
        const last = chain.at(-1)?.p50Ms ?? Number.NaN;
        progress(`overhead ${id}: raw ${ms(first)} -> HTTP ${ms(last)}`);
      }
    } finally {
      unregister();
      await stack.stop();
    }
    const text = [
      "Where podpdf's time goes (in-process stack, one browser, p50 of each step; steps interleaved):",
      ...Object.entries(breakdown).map(([id, result]) => formatBreakdown(id as DocumentId, result)),
    ].join('\n');
    return { status: 'done', rows: [], targets: [], text, details: { iterations, breakdown } };
  },
};
