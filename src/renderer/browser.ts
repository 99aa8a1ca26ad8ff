import { rm } from 'node:fs/promises';
import chromiumExport from '@sparticuz/chromium';
import puppeteer, { type Browser } from 'puppeteer-core';

/**
 * Flags from @sparticuz/chromium that would let a document read local files or mix content.
 * podpdf renders untrusted HTML, so the browser keeps its same-origin rules.
 */
const UNSAFE_FLAGS = new Set(['--disable-web-security', '--allow-running-insecure-content']);

type Chromium = typeof chromiumExport;
/**
 * The deployed handlers are CommonJS bundles that require() this ES module, and the bundler's interop
 * can hand back its whole namespace as the default export; take the class from either shape.
 */
const chromium: Chromium =
  typeof chromiumExport.executablePath === 'function'
    ? chromiumExport
    : (chromiumExport as unknown as { default: Chromium }).default;

let browserPromise: Promise<Browser> | undefined;
/** Browsers closed or discarded: nothing new is opened in them. */
const retired = new WeakSet<Browser>();

/** True once `browser` is being closed, was discarded or is disconnected. */
export const isRetired = (browser: Browser): boolean => retired.has(browser) || !browser.connected;

/** The launch promise each browser came from: a discard forgets the shared promise only if it is that one. */
const launchedBy = new WeakMap<Browser, Promise<Browser>>();
let launchCount = 0;

const resolveExecutablePath = async (): Promise<string> =>
  // Read here rather than through config.ts (which validates it with everything else): the browser
  // module loads before the rest of a handler so Chromium can start early, and stays free of zod.
  process.env.PODPDF_CHROMIUM_PATH || (await chromium.executablePath());

const launch = async (): Promise<Browser> => {
  const executablePath = await resolveExecutablePath();
  const args = (await puppeteer.defaultArgs({ args: chromium.args, headless: 'shell' })).filter(
    (arg) => !UNSAFE_FLAGS.has(arg),
  );
  // puppeteer makes a throwaway profile under os.tmpdir() and deletes it when the browser closes.
  const browser = await puppeteer.launch({
    executablePath,
    args,
    headless: 'shell',
    defaultViewport: null,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  launchCount += 1;
  return browser;
};

/**
 * The process's one browser, launched on first use and shared by every render. The launch promise is
 * memoized so concurrent first calls launch once; a crashed, closed or discarded browser is forgotten
 * and the next call launches a new one.
 */
export const getBrowser = (): Promise<Browser> => {
  if (browserPromise) return browserPromise;
  const pending = launch();
  browserPromise = pending;
  const forget = () => {
    if (browserPromise === pending) browserPromise = undefined;
  };
  pending.then((browser) => {
    launchedBy.set(browser, pending);
    browser.once('disconnected', forget);
  }, forget);
  return pending;
};

/** Kills a browser that no longer answers (a page that ignores close); the next render relaunches. */
export const discardBrowser = (browser: Browser): void => {
  retired.add(browser);
  // A browser discarded twice (a stuck page, then its crash) must not forget a newer launch.
  if (browserPromise !== undefined && browserPromise === launchedBy.get(browser)) browserPromise = undefined;
  const child = browser.process();
  // puppeteer deletes its temporary profile only on a clean close; after a kill it is ours to remove.
  const profile = child?.spawnargs.find((arg) => arg.startsWith('--user-data-dir='))?.split('=')[1];
  child?.once('exit', () => {
    if (profile) rm(profile, { recursive: true, force: true }).catch(() => undefined);
  });
  child?.kill('SIGKILL');
};

/** Closes the shared browser if one is running (local stack shutdown, benchmarks). */
export const closeBrowser = async (): Promise<void> => {
  const pending = browserPromise;
  browserPromise = undefined;
  if (!pending) return;
  const browser = await pending.catch(() => undefined);
  if (browser) retired.add(browser);
  await browser?.close().catch(() => browser.process()?.kill('SIGKILL'));
};

/** How many times this process launched Chromium: lets tests and benchmarks prove reuse. */
export const getLaunchCount = (): number => launchCount;
