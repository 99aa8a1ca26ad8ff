import type { Browser, BrowserContext, CDPSession, Page } from 'puppeteer-core';
import { log } from '../log.ts';
import { withTimeout } from '../util/with-timeout.ts';
import { closeBrowser, discardBrowser, getBrowser, isRetired } from './browser.ts';
import { closeEgressProxies, egressProxyUrl } from './egress.ts';
import { FONT_FAMILIES } from './fonts.ts';
import { guardImages, type ImageGuard } from './image-guard.ts';

/**
 * A page for exactly one job at a time, in a browser context of its own: its own cookie jar, HTTP
 * cache, storage and renderer process, and its own egress proxy policy. Closing the context closes
 * everything the job opened (workers, timers) and kills its renderer, stuck or not.
 */
export interface JobPage {
  browser: Browser;
  /** Undefined for the page Chromium opens at launch, which lives in the default context. */
  context: BrowserContext | undefined;
  page: Page;
  session: CDPSession;
  /** The egress policy of the context: whether loads may reach private and loopback addresses. */
  allowPrivateNetwork: boolean;
  /** Sizes the page's network images before they decode. */
  images: ImageGuard;
}

/** How long closing a job's context may take before the whole browser is considered stuck. */
export const CONTEXT_CLOSE_GRACE_MS = 500;

/** Browsers whose launch page has been handed out (or was gone when asked for). */
const launchPageTaken = new WeakSet<Browser>();

/**
 * Chromium opens one blank page at launch, in its default context (public-only proxy from the
 * command line); the first public-only document gets it instead of waiting for a context and a
 * page (part of a cold start). The default context holds no other page.
 */
const takeLaunchPage = async (browser: Browser): Promise<Page | undefined> => {
  if (launchPageTaken.has(browser)) return undefined;
  launchPageTaken.add(browser);
  const pages = await browser.pages();
  return pages.length === 1 && pages[0]?.url() === 'about:blank' ? pages[0] : undefined;
};

const openJobPage = async (browser: Browser, allowPrivateNetwork: boolean): Promise<JobPage> => {
  const launchPage = allowPrivateNetwork ? undefined : await takeLaunchPage(browser);
  const context = launchPage
    ? undefined
    : await browser.createBrowserContext({
        proxyServer: await egressProxyUrl(allowPrivateNetwork),
        proxyBypassList: ['<-loopback>'],
        // A document that starts a download must not write files on the renderer's host.
        downloadBehavior: { policy: 'deny' },
      });
  try {
    const page = launchPage ?? (await (context as BrowserContext).newPage());
    const session = await page.createCDPSession();
    const [images] = await Promise.all([
      guardImages(session),
      session.send('Page.setFontFamilies', FONT_FAMILIES),
    ]);
    return { browser, context, page, session, allowPrivateNetwork, images };
  } catch (err) {
    await (context ? context.close() : launchPage?.close())?.catch(() => undefined);
    throw err;
  }
};

/**
 * Closes a job's page with everything it opened. A context that does not close within the grace
 * means the browser no longer answers: it is killed, and the next render launches a new one.
 */
export const closeJobPage = async (job: JobPage): Promise<void> => {
  // The launch page's context outlives it (the browser's default one): what the job left there goes first.
  const forget = job.context
    ? Promise.resolve()
    : job.session.send('Network.clearBrowserCookies').then(
        () => undefined,
        () => undefined,
      );
  const closing = forget.then(() => (job.context ? job.context.close() : job.page.close()));
  const closed = await withTimeout(closing, CONTEXT_CLOSE_GRACE_MS).then(
    () => true,
    () => false,
  );
  if (!closed && !isRetired(job.browser)) discardBrowser(job.browser);
};

/** How long shutting down waits for a page still opening. */
const PAGE_SETTLE_MS = 5_000;

/** The page opened ahead for the next document, if any (one: a Lambda renders one document at a time). */
let next: { browser: Browser; allowPrivateNetwork: boolean; page: Promise<JobPage> } | undefined;

const discard = (pending: Promise<JobPage>): void => {
  pending.then(closeJobPage).catch(() => undefined);
};

/**
 * A page of `browser` under `allowPrivateNetwork` that no document has used: the one opened ahead if
 * it matches and is still open, else a new one. Waits for a page still opening rather than opening a
 * second; one of a browser since discarded may never finish opening, so it is not waited for.
 */
export const takeFreshPage = async (browser: Browser, allowPrivateNetwork: boolean): Promise<JobPage> => {
  const ahead = next;
  next = undefined;
  const matches =
    ahead?.browser === browser && ahead.allowPrivateNetwork === allowPrivateNetwork && !isRetired(browser);
  if (ahead && !matches) discard(ahead.page);
  else if (ahead) {
    const fresh = await ahead.page.catch(() => undefined);
    if (fresh && !fresh.page.isClosed() && !isRetired(browser)) return fresh;
  }
  return openJobPage(browser, allowPrivateNetwork);
};

/**
 * Opens the next document's context and page now, off that document's critical path: opening them
 * costs more than printing a one-page invoice. On Lambda this may finish only when the next
 * invocation thaws the process; the next render then waits for it.
 */
export const openNextPage = (browser: Browser, allowPrivateNetwork: boolean): void => {
  // A browser being closed or discarded may never answer for a page opened now.
  if (next || isRetired(browser)) return;
  const page = openJobPage(browser, allowPrivateNetwork);
  const opening = { browser, allowPrivateNetwork, page };
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
  getBrowser().then(
    (browser) => openNextPage(browser, false),
    (err: unknown) => log.error('Chromium prewarm failed; the first render retries', { cause: err }),
  );
};

/** A job page kept between script-free documents. JavaScript is off in it. */
export interface SharedPage extends JobPage {
  /** Documents printed in it so far. */
  uses: number;
  /** Settles once the last document's cookies and cache are gone: true if they could be cleared. */
  cleared: Promise<boolean>;
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
 * A page for a script-free document: an idle shared page of `browser` under the same policy, else a
 * fresh page that becomes shared. With JavaScript off and `setContent` replacing the whole document,
 * nothing of one document can run in, persist in or read the next, and the page's context forgets
 * its cookies and cache before it is put back; a new page would cost a JavaScript context and the
 * page lifecycle per document, as much as printing a one-page invoice.
 */
export const takeSharedPage = async (browser: Browser, allowPrivateNetwork: boolean): Promise<SharedPage> => {
  for (let i = idleShared.length - 1; i >= 0; i -= 1) {
    const idle = idleShared[i] as SharedPage;
    const usable = idle.browser === browser && !isRetired(browser) && !idle.page.isClosed();
    if (usable && idle.allowPrivateNetwork !== allowPrivateNetwork) continue;
    idleShared.splice(i, 1);
    if (usable && (await idle.cleared)) return idle;
    discard(Promise.resolve(idle));
  }
  const fresh = await takeFreshPage(browser, allowPrivateNetwork);
  try {
    await fresh.page.setJavaScriptEnabled(false);
  } catch (err) {
    await closeJobPage(fresh);
    throw err;
  }
  return { ...fresh, uses: 0, cleared: Promise.resolve(true) };
};

/** Cookies and cache a document left in its context, cleared before another document uses it. */
const forgetJob = async (shared: SharedPage): Promise<void> => {
  await shared.session.send('Network.clearBrowserCookies');
  await shared.session.send('Network.clearBrowserCache');
};

/**
 * Puts a shared page back after a good print, its context forgetting the document's cookies and
 * cache on the way (the next document waits for that, not for a new page); closes it instead when it
 * has served its documents, is not needed or its browser is going.
 */
export const returnSharedPage = (shared: SharedPage): void => {
  shared.uses += 1;
  const keep =
    shared.uses < MAX_SHARED_PAGE_USES &&
    idleShared.length < MAX_IDLE_SHARED &&
    !shared.page.isClosed() &&
    !isRetired(shared.browser);
  if (!keep) {
    void closeJobPage(shared);
    return;
  }
  shared.cleared = forgetJob(shared).then(
    () => true,
    () => false,
  );
  idleShared.push(shared);
};

/**
 * Closes the shared browser and the egress proxies, after the page being opened ahead (if any) has
 * settled: closing under a page still opening leaves puppeteer waiting for its target.
 */
export const closeRenderer = async (): Promise<void> => {
  idleShared.length = 0; // closed with their browser
  const ahead = next;
  next = undefined;
  if (ahead) {
    await withTimeout(ahead.page, PAGE_SETTLE_MS)
      .then(closeJobPage)
      .catch(() => undefined);
  }
  await closeBrowser();
  await closeEgressProxies();
};
