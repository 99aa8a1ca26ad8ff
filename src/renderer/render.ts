import { RENDERER_MEMORY_CAP_BYTES } from '../domain/limits.ts';
import type { RenderInput, RenderOptions } from '../domain/render-request.ts';
import type { UrlSource } from '../domain/url-source.ts';
import type { Timings } from '../util/timings.ts';
import { getBrowser } from './browser.ts';
import { ImageTooLargeError } from './image-guard.ts';
import { createMemoryWatchdog } from './memory-watchdog.ts';
import {
  closeJobPage,
  type JobPage,
  openNextPage,
  returnSharedPage,
  type SharedPage,
  takeFreshPage,
  takeSharedPage,
} from './pages.ts';
import { PdfFile } from './pdf-file.ts';
import { countPages, keepFirstPages, withMetadata } from './pdf-pages.ts';
import { stampWatermark } from './pdf-watermark.ts';
import { printToPdf, toPrintParams } from './print.ts';
import {
  ConsoleExceptionError,
  needsOwnPage,
  ResourceLoadingError,
  WaitError,
  waitForReadiness,
  watchDocument,
} from './readiness.ts';
import { isScriptFree, mayLoadWebFonts } from './script-free.ts';
import { loadSource, SourceHttpError, SourceUnreachableError } from './source.ts';

export {
  ConsoleExceptionError,
  ImageTooLargeError,
  ResourceLoadingError,
  SourceHttpError,
  SourceUnreachableError,
  WaitError,
};

/** The render did not finish before its deadline; the page was torn down. */
export class RenderTimeoutError extends Error {
  override name = 'RenderTimeoutError';
  /** The document's wait still pending at the deadline, if any. */
  waitingFor: string | undefined;
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
/** The document's renderer grew past the memory cap and was killed. */
export class RenderMemoryError extends Error {
  override name = 'RenderMemoryError';
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
  /**
   * Text stamped across every page of the printed PDF (sandbox jobs: `SANDBOX`), after the print, so
   * the document cannot hide it.
   */
  watermark?: string;
  /**
   * Records `page` (a page to print in), `load`, `print`, `count`, `truncate`, `metadata` and
   * `watermark` when given.
   */
  timings?: Timings;
}

export interface RenderedPdf {
  /** The PDF as Chromium handed it over (base64 or bytes); `file.base64` is a Lambda body as it is. */
  file: PdfFile;
  /** Pages in `file`, read back from the PDF itself. */
  pages: number;
  /** True when the document had more than `maxPages` pages and was cut. */
  truncated: boolean;
}

let watchedBrowserPid: number | undefined;
const watchdog = createMemoryWatchdog(() => watchedBrowserPid, RENDERER_MEMORY_CAP_BYTES);

const classify = (err: unknown, startedAt: number): Error => {
  if (
    err instanceof RenderTimeoutError ||
    err instanceof BrowserLaunchError ||
    err instanceof ImageTooLargeError ||
    err instanceof WaitError ||
    err instanceof ConsoleExceptionError ||
    err instanceof ResourceLoadingError ||
    err instanceof SourceHttpError ||
    err instanceof SourceUnreachableError
  )
    return err;
  const message = err instanceof Error ? err.message : String(err);
  if (watchdog.killsSince(startedAt) > 0)
    return new RenderMemoryError('the renderer passed its memory cap', { cause: err });
  if (/page range/i.test(message)) return new PageRangeError(message, { cause: err });
  return new RenderCrashError(message, { cause: err });
};

interface OpenPage {
  job?: JobPage;
  /** The shared page a script-free document was printed in: kept for the next one after a good print. */
  shared?: SharedPage;
  /** Set once the render has ended (deadline passed): a page that arrives later is closed at once. */
  ended?: boolean;
  /** The document's wait in progress, named if the deadline passes during it. */
  waitingFor?: string;
}

let renderCount = 0;

/** Renders started by this process: lets tests prove a duplicate message did not render twice. */
export const getRenderCount = (): number => renderCount;

/** Rejects when the page's renderer crashes (or is killed), so the render fails at once. */
const watchCrash = (job: JobPage): { crashed: Promise<never>; stop: () => void } => {
  let onError: ((err: Error) => void) | undefined;
  const crashed = new Promise<never>((_, reject) => {
    onError = (err: Error) => reject(new RenderCrashError(`renderer crashed: ${err.message}`));
    job.page.once('error', onError);
  });
  crashed.catch(() => undefined);
  return { crashed, stop: () => onError && job.page.off('error', onError) };
};

/** Runs `work` as the span `name` when the render is timed. */
const span = <T>(limits: RenderLimits, name: string, work: () => Promise<T>): Promise<T> =>
  limits.timings ? limits.timings.time(name, work) : work();

const printInPage = async (
  input: RenderInput,
  options: RenderOptions,
  limits: RenderLimits,
  open: OpenPage,
) => {
  renderCount += 1;
  const html = 'html' in input ? input.html : undefined;
  const scriptFree = html !== undefined && isScriptFree(html) && !needsOwnPage(options);
  const { job, shared } = await span(limits, 'page', async () => {
    const browser = await getBrowser().catch((err: unknown) => {
      throw new BrowserLaunchError('Chromium could not be launched', { cause: err });
    });
    watchedBrowserPid = browser.process()?.pid;
    const sharedPage = scriptFree ? await takeSharedPage(browser, limits.allowPrivateNetwork) : undefined;
    return {
      shared: sharedPage,
      job: sharedPage ?? (await takeFreshPage(browser, limits.allowPrivateNetwork)),
    };
  });
  if (open.ended) {
    await closeJobPage(job);
    throw new RenderTimeoutError('render deadline passed before a page was open');
  }
  open.job = job;
  open.shared = shared;
  const crash = watchCrash(job);
  const images = job.images.begin();
  const watch = shared ? undefined : watchDocument(job.page, options);
  const work = (async () => {
    if (options.emulatedMediaType === 'screen') await job.page.emulateMediaType('screen');
    await span(limits, 'load', () =>
      html === undefined
        ? loadSource(job.page, (input as { source: UrlSource }).source)
        : job.page.setContent(html, { waitUntil: 'load', timeout: 0 }),
    );
    if (!shared)
      await span(limits, 'wait', () =>
        waitForReadiness(job.page, options, (wait) => (open.waitingFor = wait)),
      );
    open.waitingFor = undefined;
    watch?.check();
    return span(limits, 'print', () =>
      printToPdf(job.session, toPrintParams(options, limits.maxPages), {
        stream: limits.streamPdf,
        waitForFonts: !shared || mayLoadWebFonts(html ?? ''),
        deadline: limits.deadline,
        transparent: options.omitBackground,
      }),
    );
  })();
  // A shared page serves many documents: its watchers go with each one.
  return Promise.race([work, crash.crashed, images.failed]).finally(() => {
    crash.stop();
    images.end();
    watch?.stop();
  });
};

/**
 * Prints in a shared page (script-free documents) or a fresh one, racing the whole job against the
 * deadline. A fresh page's context is closed after the job and a new one opened ahead of the next
 * document; a shared page is put back after a good print and its context closed after a failure.
 */
const printBeforeDeadline = async (input: RenderInput, options: RenderOptions, limits: RenderLimits) => {
  if (!Number.isFinite(limits.deadline))
    throw new TypeError(`render deadline is not a time: ${limits.deadline}`);
  const startedAt = Date.now();
  const open: OpenPage = {};
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    // setTimeout fires at once for delays past 2^31-1 ms; no render is given that long anyway.
    const delay = Math.min(Math.max(0, limits.deadline - Date.now()), 2 ** 31 - 1);
    timer = setTimeout(() => {
      const timeout = new RenderTimeoutError('render deadline passed');
      timeout.waitingFor = open.waitingFor;
      reject(timeout);
    }, delay);
  });
  const untrack = watchdog.track();
  let failed = false;
  try {
    const work = printInPage(input, options, limits, open);
    work.catch(() => undefined); // after a timeout it settles unobserved; the timeout is the error
    return await Promise.race([work, expired]);
  } catch (err) {
    failed = true;
    throw classify(err, startedAt);
  } finally {
    clearTimeout(timer);
    untrack();
    open.ended = true;
    // After a failure the job's context is closed (its renderer killed, stuck or not) before the
    // error is returned. After a good print the PDF waits for neither the put-back nor the next page;
    // the next page opens once the used one has closed, not alongside the print.
    const { job, shared } = open;
    if (job && failed) await closeJobPage(job);
    else if (job && shared) returnSharedPage(shared);
    else if (job) void closeJobPage(job).then(() => openNextPage(job.browser, job.allowPrivateNetwork));
  }
};

/**
 * Renders HTML (a string, or `{ html }`) or the page at a URL (`{ source }`) to PDF in the shared browser, never past `limits.deadline` and never longer than
 * `limits.maxPages`, in a browser context of the job's own whose loads all go through the egress
 * proxy. A document that may run script gets a new context, closed after it; a script-free one is
 * printed with JavaScript off in a context kept for such documents and cleared between them. A
 * context that failed is closed (its renderer killed), and a browser that will not close it is
 * killed so the next render starts clean.
 *
 * @example
 * const { pdf, pages, truncated } = await renderPdf(html, options, {
 *   deadline: Date.now() + 30_000, maxPages: 100, allowPrivateNetwork: false, streamPdf: false,
 * });
 */
export const renderPdf = async (
  input: RenderInput | string,
  options: RenderOptions,
  limits: RenderLimits,
): Promise<RenderedPdf> => {
  const rendered = await printWithinLimits(input, options, limits);
  const { watermark } = limits;
  if (watermark === undefined) return rendered;
  const stamped = await span(limits, 'watermark', () => stampWatermark(rendered.file.bytes, watermark));
  return { ...rendered, file: PdfFile.ofBytes(stamped) };
};

const printWithinLimits = async (
  input: RenderInput | string,
  options: RenderOptions,
  limits: RenderLimits,
): Promise<RenderedPdf> => {
  const raw = await printBeforeDeadline(typeof input === 'string' ? { html: input } : input, options, limits);
  const pages = await span(limits, 'count', () => countPages(raw));
  if (pages <= limits.maxPages) {
    const { metadata } = options;
    const file = metadata ? await span(limits, 'metadata', () => withMetadata(raw, metadata)) : raw;
    return { file, pages, truncated: false };
  }
  const kept = await span(limits, 'truncate', () =>
    keepFirstPages(raw.bytes, limits.maxPages, options.metadata),
  );
  return { file: PdfFile.ofBytes(kept), pages: limits.maxPages, truncated: true };
};
