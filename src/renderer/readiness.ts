import { setTimeout as sleep } from 'node:timers/promises';
import { Script } from 'node:vm';
import type { HTTPRequest, HTTPResponse, Page } from 'puppeteer-core';
import { MAX_LISTED_FAILED_LOADS } from '../domain/limits.ts';
import type { RenderOptions } from '../domain/render-request.ts';

/**
 * What a document asks for before it is printed: waits (network idle, a selector, an expression, a
 * delay), the media type, and failing on its own script exceptions or failed loads.
 */

/** A wait that could not run: an invalid selector, an expression that does not parse. */
export class WaitError extends Error {
  override name = 'WaitError';
  readonly wait: string;
  constructor(wait: string, reason: string) {
    super(reason);
    this.wait = wait;
  }
}

/** The document threw an uncaught exception and asked to fail on one. */
export class ConsoleExceptionError extends Error {
  override name = 'ConsoleExceptionError';
  readonly exceptions: string[];
  constructor(exceptions: string[]) {
    super(exceptions[0] ?? 'exception');
    this.exceptions = exceptions;
  }
}

/** Sub-resources failed to load and the document asked to fail on that. */
export class ResourceLoadingError extends Error {
  override name = 'ResourceLoadingError';
  readonly failures: { url: string; reason: string }[];
  readonly count: number;
  constructor(failures: { url: string; reason: string }[], count: number) {
    super(`${count} resource(s) failed to load`);
    this.failures = failures;
    this.count = count;
  }
}

/**
 * True when the document must have a page of its own with JavaScript on rather than the shared,
 * script-free page: any wait or strictness option (a script-based wait needs script; the others
 * need the page's own settings or listeners, not the shared page's).
 */
export const needsOwnPage = (options: RenderOptions): boolean =>
  options.waitUntil !== 'load' ||
  options.waitForSelector !== undefined ||
  options.waitForExpression !== undefined ||
  options.waitDelay !== undefined ||
  options.emulatedMediaType !== 'print' ||
  options.failOnConsoleExceptions ||
  options.failOnResourceLoadingFailed;

/** Collects what the document's strictness options fail on, from the moment the page is set up. */
export const watchDocument = (page: Page, options: RenderOptions) => {
  const exceptions: string[] = [];
  const failures: { url: string; reason: string }[] = [];
  let failed = 0;
  const noteFailure = (url: string, reason: string) => {
    failed += 1;
    if (failures.length < MAX_LISTED_FAILED_LOADS) failures.push({ url: url.slice(0, 2_048), reason });
  };
  const onError = (err: unknown) => exceptions.push(err instanceof Error ? err.message : String(err));
  const onRequestFailed = (request: HTTPRequest) =>
    noteFailure(request.url(), request.failure()?.errorText ?? 'failed');
  const onResponse = (response: HTTPResponse) => {
    if (response.status() >= 400) noteFailure(response.url(), `HTTP ${response.status()}`);
  };
  if (options.failOnConsoleExceptions) page.on('pageerror', onError);
  if (options.failOnResourceLoadingFailed) {
    page.on('requestfailed', onRequestFailed);
    page.on('response', onResponse);
  }
  return {
    /** Throws what the document failed on so far. */
    check: () => {
      if (exceptions.length > 0) throw new ConsoleExceptionError(exceptions.slice(0, 5));
      if (failed > 0) throw new ResourceLoadingError(failures, failed);
    },
    stop: () => {
      page.off('pageerror', onError);
      page.off('requestfailed', onRequestFailed);
      page.off('response', onResponse);
    },
  };
};

/** The wait names a timeout reports in `details.waiting_for`. */
const waitName = {
  networkidle: 'waitUntil networkidle',
  selector: (selector: string) => `waitForSelector ${JSON.stringify(selector)}`,
  expression: 'waitForExpression',
  delay: (ms: number) => `waitDelay ${ms} ms`,
};

/** Parses the expression without running it (V8 is V8): a syntax error fails at once, not at the deadline. */
const compileCheck = (expression: string): void => {
  try {
    new Script(`(${expression}\n)`);
  } catch (err) {
    throw new WaitError(waitName.expression, err instanceof Error ? err.message : String(err));
  }
};

/** How long the network must be quiet for `waitUntil: "networkidle"` (puppeteer's networkidle0). */
const NETWORK_IDLE_MS = 500;

/**
 * Runs the document's waits after it loaded, in order: network idle, selector, expression, delay. `onWait` is told
 * which wait is pending (undefined once all are done), so a deadline can name it.
 */
export const waitForReadiness = async (
  page: Page,
  options: RenderOptions,
  onWait: (wait: string | undefined) => void,
): Promise<void> => {
  if (options.waitUntil === 'networkidle') {
    onWait(waitName.networkidle);
    await page.waitForNetworkIdle({ idleTime: NETWORK_IDLE_MS, concurrency: 0, timeout: 0 });
  }
  if (options.waitForSelector !== undefined) {
    const selector = options.waitForSelector;
    const wait = waitName.selector(selector);
    onWait(wait);
    // Queried once first: an invalid selector fails at once instead of being polled until the deadline.
    await page
      .$(selector)
      .then((found) => found?.dispose())
      .then(() => page.waitForSelector(selector, { timeout: 0 }))
      .catch((err: unknown) => {
        throw new WaitError(wait, err instanceof Error ? err.message : String(err));
      });
  }
  if (options.waitForExpression !== undefined) {
    onWait(waitName.expression);
    compileCheck(options.waitForExpression);
    // An exception while polling (an element not there yet) counts as not yet; a syntax error fails.
    const expression = `(() => { try { return Boolean((${options.waitForExpression}\n)); } catch (e) { if (e instanceof SyntaxError) throw e; return false; } })()`;
    await page.waitForFunction(expression, { timeout: 0, polling: 50 }).catch((err: unknown) => {
      throw new WaitError(waitName.expression, err instanceof Error ? err.message : String(err));
    });
  }
  if (options.waitDelay !== undefined) {
    onWait(waitName.delay(options.waitDelay));
    await sleep(options.waitDelay, undefined, { ref: false });
  }
  onWait(undefined);
};
