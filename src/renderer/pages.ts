import type { Browser, CDPSession, Page } from 'puppeteer-core';
import { log } from '../log.ts';
import { withTimeout } from '../util/with-timeout.ts';
import { closeBrowser, getBrowser, isRetired } from './browser.ts';
import { guardSubresources, type SubresourceGuard } from './subresource-guard.ts';

/** A page with the sub-resource guard on: blank for exactly one document, or kept for script-free ones. */
export interface FreshPage {
  page: Page;
  session: CDPSession;
  /** Told of each document before its HTML goes in; lets nothing through until then. */
  guard: SubresourceGuard;
}

/** Browsers whose launch page has been handed out (or was gone when asked for). */
const launchPageTaken = new WeakSet<Browser>();

/**
 * Chromium opens one blank page at launch; the first document gets it instead of waiting for another
 * page to open (part of a cold start).
 */
const takeLaunchPage = async (browser: Browser): Promise<Page | undefined> => {
  if (launchPageTaken.has(browser)) return undefined;
  launchPageTaken.add(browser);
  const pages = await browser.pages();
  return pages.length === 1 && pages[0]?.url() === 'about:blank' ? pages[0] : undefined;
};

const openFreshPage = async (browser: Browser): Promise<FreshPage> => {
  const page = (await takeLaunchPage(browser)) ?? (await browser.newPage());
  try {
    const session = await page.createCDPSession();
    return { page, session, guard: await guardSubresources(session) };
  } catch (err) {
    await page.close().catch(() => undefined);
    throw err;
  }
};

/** How long shutting down waits for a page still opening. */
const PAGE_SETTLE_MS = 5_000;

/** The page opened ahead for the next document, if any (one: a Lambda renders one document at a time). */
let next: { browser: Browser; page: Promise<FreshPage> } | undefined;

const discard = (pending: Promise<FreshPage>): void => {
  pending.then(({ page }) => page.close()).catch(() => undefined);
};

/**
 * A page of `browser` that no document has used: the one opened ahead if it belongs to this browser and
 * is still open, else a new one. Waits for a page of this browser still opening rather than opening a
 * second; one of a browser since discarded may never finish opening, so it is not waited for.
 */
export const takeFreshPage = async (browser: Browser): Promise<FreshPage> => {
  const ahead = next;
  next = undefined;
  if (ahead && (ahead.browser !== browser || isRetired(browser))) discard(ahead.page);
  else if (ahead) {
    const fresh = await ahead.page.catch(() => undefined);
    if (fresh && !fresh.page.isClosed() && !isRetired(browser)) return fresh;
  }
  return openFreshPage(browser);
};

/**
 * Opens the next document's page now, off that document's critical path: opening a page costs about
 * as much as printing a one-page invoice. Each document still gets a page of its own, so nothing of one
 * customer's document (scripts, storage, timers) can reach the next. On Lambda this may finish only when
 * the next invocation thaws the process; the next render then waits for it.
 */
export const openNextPage = (browser: Browser): void => {
  // A browser being closed or discarded may never answer for a page opened now, and puppeteer would
  // wait 30 s for it, keeping the process alive.
  if (next || isRetired(browser)) return;
  const page = openFreshPage(browser);
  const opening = { browser, page };
  next = opening;
  page.catch((err: unknown) => {
    if (next === opening) next = undefined;
    log.warn('opening the next page ahead failed; the next render opens its own', { cause: err });
  });
};

/**
 * Starts Chromium and opens the first page now, without waiting: called while a Lambda initialises so
 * the first request finds both ready. A failed launch is logged; the first render launches again.
 */
export const prewarmRenderer = (): void => {
  getBrowser().then(openNextPage, (err: unknown) =>
    log.error('Chromium prewarm failed; the first render retries', { cause: err }),
  );
};

/** A page kept between script-free documents of one browser. JavaScript is off in it. */
export interface SharedPage extends FreshPage {
  browser: Browser;
  /** Documents printed in it so far. */
  uses: number;
}

/**
 * Idle shared pages: as many as renders were in flight at once, up to the most the processor runs in
 * one browser (the local poller's 4 invocations × 5 messages; a quick-job Lambda renders one at a
 * time, a processor Lambda up to its batch of 5).
 */
const idleShared: SharedPage[] = [];
export const MAX_IDLE_SHARED = 20;
/** A shared page is replaced after this many documents, bounding whatever a page may accumulate. */
export const MAX_SHARED_PAGE_USES = 200;

/**
 * A page for a script-free document: an idle shared page of `browser`, else a fresh page (the one
 * opened ahead if there is one) that becomes shared. With JavaScript off and `setContent` replacing
 * the whole document, nothing of one document can run in, persist in or read the next; a new page
 * would cost a JavaScript context and the page lifecycle per document, which on a one-page invoice is
 * as much as the print itself.
 */
export const takeSharedPage = async (browser: Browser): Promise<SharedPage> => {
  for (let idle = idleShared.pop(); idle; idle = idleShared.pop()) {
    if (idle.browser === browser && !idle.page.isClosed() && !isRetired(browser)) return idle;
    idle.page.close().catch(() => undefined);
  }
  const fresh = await takeFreshPage(browser);
  try {
    await fresh.page.setJavaScriptEnabled(false);
  } catch (err) {
    await fresh.page.close().catch(() => undefined);
    throw err;
  }
  return { ...fresh, browser, uses: 0 };
};

/**
 * Puts a shared page back after a good print. False when it has served its documents (or is not
 * needed, or its browser is going): the caller closes it.
 */
export const keepSharedPage = (shared: SharedPage): boolean => {
  shared.uses += 1;
  const keep =
    shared.uses < MAX_SHARED_PAGE_USES &&
    idleShared.length < MAX_IDLE_SHARED &&
    !shared.page.isClosed() &&
    !isRetired(shared.browser);
  if (keep) idleShared.push(shared);
  return keep;
};

/**
 * Closes the shared browser, after the page being opened ahead (if any) has settled: closing under a
 * page still opening leaves puppeteer waiting out its 30 s target timeout before the process can exit.
 */
export const closeRenderer = async (): Promise<void> => {
  idleShared.length = 0; // closed with their browser
  const ahead = next;
  next = undefined;
  if (ahead) {
    await withTimeout(ahead.page, PAGE_SETTLE_MS)
      .then(({ page }) => page.close())
      .catch(() => undefined);
  }
  await closeBrowser();
};
