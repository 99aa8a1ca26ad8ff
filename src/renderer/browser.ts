import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import chromiumExport from '@sparticuz/chromium';
import puppeteer, { type Browser } from 'puppeteer-core';
import { QUICKJOB_HARD_TIMEOUT_MS } from '../domain/limits.ts';
import { egressProxyUrl } from './egress.ts';
import { fontEnvironment } from './fonts.ts';

/**
 * Flags from @sparticuz/chromium that podpdf, rendering untrusted HTML from many accounts, drops:
 * same-origin and mixed-content rules stay on, SharedArrayBuffer (a high-resolution timer) stays
 * off, and renderers run in processes of their own, so a document that crashes or stalls its
 * renderer takes down only its own job.
 */
const DROPPED_FLAGS = new Set([
  '--disable-web-security',
  '--allow-running-insecure-content',
  '--single-process',
  '--enable-features=SharedArrayBuffer',
]);

/**
 * Everything a document loads goes through the egress proxy, loopback included (`<-loopback>` removes
 * Chromium's implicit bypass); WebRTC may not send UDP around it; no document opens a window. No GPU:
 * @sparticuz/chromium's in-process SwiftShader GPU is shared by every page, and a document's huge CSS
 * filters kept it, and the browser with it, busy after that document's renderer was killed.
 */
const isolationFlags = (proxyUrl: string): string[] => [
  `--proxy-server=${proxyUrl}`,
  '--proxy-bypass-list=<-loopback>',
  '--force-webrtc-ip-handling-policy=disable_non_proxied_udp',
  '--block-new-web-contents',
  '--disable-quic',
  '--disable-gpu',
];

/** Chromium's arguments: @sparticuz/chromium's, less the dropped flags, plus podpdf's isolation. */
export const chromiumArgs = async (proxyUrl: string): Promise<string[]> => {
  const merged = await puppeteer.defaultArgs({
    args: chromium.args.filter((arg) => !DROPPED_FLAGS.has(arg)),
    headless: 'shell',
  });
  const args = merged
    .filter((arg) => arg !== '--enable-features=SharedArrayBuffer')
    .map((arg) => {
      if (arg.startsWith('--enable-features='))
        return arg.replace(/(?<==|,)SharedArrayBuffer(,|$)/, '').replace(/,$/, '');
      if (arg.startsWith('--disable-features=')) return `${arg},SharedArrayBuffer`;
      return arg;
    });
  return [...args, ...isolationFlags(proxyUrl)];
};

/**
 * Bounds every protocol command (puppeteer's default is 180 s): a command no render waits for longer
 * than a quick job lives. Commands that may run long (print, PDF reads) carry the job's deadline.
 */
const PROTOCOL_TIMEOUT_MS = QUICKJOB_HARD_TIMEOUT_MS;

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

/**
 * True when the first launch will unpack Chromium from @sparticuz/chromium's archives (into
 * os.tmpdir()/chromium, a few seconds): `npm start` says so before it waits.
 */
export const chromiumNeedsUnpacking = (): boolean =>
  !process.env.PODPDF_CHROMIUM_PATH && !existsSync(join(tmpdir(), 'chromium'));

const launch = async (): Promise<Browser> => {
  const [executablePath, proxyUrl] = await Promise.all([resolveExecutablePath(), egressProxyUrl(false)]);
  const args = await chromiumArgs(proxyUrl);
  // puppeteer makes a throwaway profile under os.tmpdir() and deletes it when the browser closes.
  const browser = await puppeteer.launch({
    executablePath,
    args,
    env: { ...process.env, ...fontEnvironment() },
    headless: 'shell',
    defaultViewport: null,
    protocolTimeout: PROTOCOL_TIMEOUT_MS,
    downloadBehavior: { policy: 'deny' },
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
