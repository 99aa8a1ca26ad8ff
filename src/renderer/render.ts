import type { Browser, CDPSession, Page } from 'puppeteer-core';
import type { RenderOptions } from '../domain/render-request.ts';
import { withTimeout } from '../util/with-timeout.ts';
import { discardBrowser, getBrowser } from './browser.ts';
import {
  type FreshPage,
  keepSharedPage,
  openNextPage,
  type SharedPage,
  takeFreshPage,
  takeSharedPage,
} from './pages.ts';
import { PdfFile } from './pdf-file.ts';
import { countPages, keepFirstPages } from './pdf-pages.ts';
import { printToPdf, toPrintParams } from './print.ts';
import { isScriptFree, mayLoadWebFonts } from './script-free.ts';

/** The render did not finish before its deadline; the page was torn down. */
export class RenderTimeoutError extends Error {
  override name = 'RenderTimeoutError';
}
/** `pageRanges` selects no page of the document, or is not a range Chromium understands. */
export class PageRangeError extends Error {
  override name = 'PageRangeError';
}
/** The browser could not be started. */
export class BrowserLaunchError extends Error {
  override name = 'BrowserLaunchError';
}
/** Chromium failed or crashed while rendering. */
export class RenderCrashError extends Error {
  override name = 'RenderCrashError';
}

export interface RenderLimits {
  /** Epoch ms after which the render is abandoned. */
  deadline: number;
  /** Output is cut to this many pages. */
  maxPages: number;
  /** Let the document load sub-resources from private and loopback addresses. */
  allowPrivateNetwork: boolean;
  /**
   * Read the PDF as a stream: slower by a few ms, but not capped at one protocol message (256 MB of
   * base64). Long jobs, whose PDFs go to S3, use it; a quick job's PDF must fit a 6 MB response.
   */
  streamPdf: boolean;
}

export interface RenderedPdf {
  /** The PDF as Chromium handed it over (base64 or bytes); `file.base64` is a Lambda body as it is. */
  file: PdfFile;
  /** Pages in `file`, read back from the PDF itself. */
  pages: number;
  /** True when the document had more than `maxPages` pages and was cut. */
  truncated: boolean;
}

/** How long a page gets to close before the whole browser is considered stuck and killed. */
const PAGE_CLOSE_GRACE_MS = 2_000;

const classify = (err: unknown): Error => {
  if (err instanceof RenderTimeoutError || err instanceof BrowserLaunchError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/page range/i.test(message)) return new PageRangeError(message, { cause: err });
  return new RenderCrashError(message, { cause: err });
};

interface OpenPage {
  browser?: Browser;
  page?: Page;
  session?: CDPSession;
  /** The shared page a script-free document was printed in: kept for the next one after a good print. */
  shared?: SharedPage;
  /** Set once the render has ended (deadline passed): a page that arrives later is closed at once. */
  ended?: boolean;
}

const releasePage = async ({ browser, page, session }: OpenPage, timedOut: boolean): Promise<void> => {
  if (!browser) return;
  if (!page) {
    if (timedOut) discardBrowser(browser); // stuck before a page was even open
    return;
  }
  // A script stuck in a loop blocks the page's main thread; terminating it lets close() go through.
  if (timedOut && session) {
    await withTimeout(session.send('Runtime.terminateExecution'), 1_000).catch(() => undefined);
  }
  const closed = await withTimeout(page.close(), PAGE_CLOSE_GRACE_MS).then(
    () => true,
    () => false,
  );
  if (!closed) discardBrowser(browser);
};

let renderCount = 0;

/** Renders started by this process: lets tests prove a duplicate message did not render twice. */
export const getRenderCount = (): number => renderCount;

const printInPage = async (html: string, options: RenderOptions, limits: RenderLimits, open: OpenPage) => {
  renderCount += 1;
  open.browser = await getBrowser().catch((err: unknown) => {
    throw new BrowserLaunchError('Chromium could not be launched', { cause: err });
  });
  const scriptFree = isScriptFree(html);
  const shared = scriptFree ? await takeSharedPage(open.browser) : undefined;
  const fresh: FreshPage = shared ?? (await takeFreshPage(open.browser));
  if (open.ended) {
    await fresh.page.close();
    throw new RenderTimeoutError('render deadline passed before a page was open');
  }
  open.page = fresh.page;
  open.session = fresh.session;
  open.shared = shared;
  fresh.guard.startDocument(limits.allowPrivateNetwork);
  await open.page.setContent(html, { waitUntil: 'load', timeout: 0 });
  return printToPdf(fresh.session, toPrintParams(options, limits.maxPages), {
    stream: limits.streamPdf,
    waitForFonts: !scriptFree || mayLoadWebFonts(html),
  });
};

/**
 * Prints in a shared page (script-free documents) or a fresh one, racing the whole job against the
 * deadline. A fresh page is always released and replaced ahead of the next document; a shared page is
 * kept after a good print and released after a failed one.
 */
const printBeforeDeadline = async (html: string, options: RenderOptions, limits: RenderLimits) => {
  if (!Number.isFinite(limits.deadline))
    throw new TypeError(`render deadline is not a time: ${limits.deadline}`);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    // setTimeout fires at once for delays past 2^31-1 ms; no render is given that long anyway.
    const delay = Math.min(Math.max(0, limits.deadline - Date.now()), 2 ** 31 - 1);
    timer = setTimeout(() => reject(new RenderTimeoutError('render deadline passed')), delay);
  });
  const open: OpenPage = {};
  let failed = false;
  let timedOut = false;
  try {
    const work = printInPage(html, options, limits, open);
    work.catch(() => undefined); // after a timeout it settles unobserved; the timeout is the error
    return await Promise.race([work, expired]);
  } catch (err) {
    failed = true;
    timedOut = err instanceof RenderTimeoutError;
    throw classify(err);
  } finally {
    clearTimeout(timer);
    open.ended = true;
    // After a good print the PDF waits neither for the page to close nor for the next document's page
    // to open. That opening starts once the used page has closed: alongside the print, both would run on
    // Chromium's one renderer thread; alongside the close, Chromium's memory climbed ~30% higher over
    // 1,000 renders before levelling off (with it after, within 4%). After a failure the browser's
    // health is settled (stuck page closed or browser discarded) before anyone renders again.
    // A shared page that served a good print stays open for the next script-free document.
    if (failed) await releasePage(open, timedOut);
    else if (open.browser && !(open.shared && keepSharedPage(open.shared))) {
      const { browser } = open;
      void releasePage(open, false).then(() => openNextPage(browser));
    }
  }
};

/**
 * Renders `html` to PDF in the shared browser, never past `limits.deadline` and never longer than
 * `limits.maxPages`. A document that may run script gets a new page, closed after it; a script-free one
 * is printed with JavaScript off in a page kept for such documents. A page that failed is closed, and
 * one that will not close takes the browser down with it so the next render starts clean.
 *
 * @example
 * const { pdf, pages, truncated } = await renderPdf(html, options, {
 *   deadline: Date.now() + 30_000, maxPages: 100, allowPrivateNetwork: false, streamPdf: false,
 * });
 */
export const renderPdf = async (
  html: string,
  options: RenderOptions,
  limits: RenderLimits,
): Promise<RenderedPdf> => {
  const raw = await printBeforeDeadline(html, options, limits);
  const pages = await countPages(raw);
  if (pages <= limits.maxPages) return { file: raw, pages, truncated: false };
  const kept = await keepFirstPages(raw.bytes, limits.maxPages);
  return { file: PdfFile.ofBytes(kept), pages: limits.maxPages, truncated: true };
};
