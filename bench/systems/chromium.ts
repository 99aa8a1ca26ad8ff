import chromium from '@sparticuz/chromium';
import puppeteer, { type Browser, type Page, type PDFOptions } from 'puppeteer-core';
import { useProjectTmpdir } from '../../src/local/project-tmpdir.ts';
import { type EgressProxy, startEgressProxy } from '../../src/net/egress-proxy.ts';
import { chromiumArgs } from '../../src/renderer/browser.ts';
import { fontEnvironment } from '../../src/renderer/fonts.ts';

/**
 * The browser the baselines launch: the binary, flags and fonts src/renderer/browser.ts uses (its own
 * egress proxy included), so a difference in the results is podpdf's doing and not a different
 * Chromium or other fonts. The run also compares this against the command line of the browser the
 * podpdf server actually started (see warm-systems.ts).
 */
export interface ChromiumLaunchSpec {
  executablePath: string;
  args: string[];
  /** podpdf's fontconfig (src/renderer/fonts.ts), so text is set in the same faces. */
  env: Record<string, string>;
}

let proxy: Promise<EgressProxy> | undefined;

const executablePath = async (): Promise<string> => {
  // Before anything asks os.tmpdir(): the binary is unpacked to (and reused from) <project>/.tmp.
  useProjectTmpdir();
  return process.env.PODPDF_CHROMIUM_PATH ?? (await chromium.executablePath());
};

export const chromiumLaunchSpec = async (): Promise<ChromiumLaunchSpec> => {
  // One public-only proxy for every baseline browser of the run; its socket does not keep the run alive.
  proxy ??= startEgressProxy({ allowPrivateNetwork: false });
  return {
    executablePath: await executablePath(),
    args: await chromiumArgs((await proxy).url),
    env: fontEnvironment(),
  };
};

/**
 * The flags podpdf ran with before tenant isolation: one process for browser and renderers, no
 * egress proxy (a Fetch-domain guard in each page instead), popups and SharedArrayBuffer allowed.
 * The isolation scenario's "before" column.
 */
export const singleProcessLaunchSpec = async (): Promise<ChromiumLaunchSpec> => {
  const unsafe = new Set(['--disable-web-security', '--allow-running-insecure-content']);
  const args = (await puppeteer.defaultArgs({ args: chromium.args, headless: 'shell' })).filter(
    (arg) => !unsafe.has(arg),
  );
  return { executablePath: await executablePath(), args, env: fontEnvironment() };
};

export const launchBrowser = async (spec: ChromiumLaunchSpec): Promise<Browser> =>
  puppeteer.launch({
    executablePath: spec.executablePath,
    args: spec.args,
    env: { ...process.env, ...spec.env },
    headless: 'shell',
    defaultViewport: null,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });

/** The PDF options a podpdf request with no `options` resolves to (render-request.ts defaults). */
export const DEFAULT_PDF_OPTIONS: PDFOptions = {
  format: 'A4',
  margin: { top: '0', right: '0', bottom: '0', left: '0' },
  printBackground: true,
  scale: 1,
  landscape: false,
  preferCSSPageSize: false,
  displayHeaderFooter: false,
  timeout: 0,
};

/** The bare render into a page already open: no interception, no page counting, no deadline. */
export const renderInPage = async (page: Page, html: string): Promise<Uint8Array> => {
  await page.setContent(html, { waitUntil: 'load', timeout: 0 });
  return page.pdf(DEFAULT_PDF_OPTIONS);
};

/** The bare render in a page of its own: newPage, setContent, pdf, close. */
export const renderInBrowser = async (browser: Browser, html: string): Promise<Uint8Array> => {
  const page = await browser.newPage();
  try {
    return await renderInPage(page, html);
  } finally {
    await page.close();
  }
};

/** Closes a browser, killing it if it does not close in time: the benchmark must not leave Chromium behind. */
export const closeBrowserSafely = async (browser: Browser): Promise<void> => {
  const closed = browser.close().then(
    () => true,
    () => false,
  );
  const timedOut = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5_000).unref());
  if (!(await Promise.race([closed, timedOut]))) browser.process()?.kill('SIGKILL');
};
