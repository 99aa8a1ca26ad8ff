import chromium from '@sparticuz/chromium';
import puppeteer, { type Browser, type Page, type PDFOptions } from 'puppeteer-core';
import { useProjectTmpdir } from '../../src/local/project-tmpdir.ts';

/**
 * The browser the baselines launch: the binary and flags src/renderer/browser.ts uses, so a difference
 * in the results is podpdf's doing and not a different Chromium. The run also compares this against the
 * command line of the browser the podpdf server actually started (see scenarios/setup-check.ts).
 */
const UNSAFE_FLAGS = new Set(['--disable-web-security', '--allow-running-insecure-content']);

export interface ChromiumLaunchSpec {
  executablePath: string;
  args: string[];
}

export const chromiumLaunchSpec = async (): Promise<ChromiumLaunchSpec> => {
  // Before anything asks os.tmpdir(): the binary is unpacked to (and reused from) <project>/.tmp.
  useProjectTmpdir();
  const executablePath = process.env.PODPDF_CHROMIUM_PATH ?? (await chromium.executablePath());
  const args = (await puppeteer.defaultArgs({ args: chromium.args, headless: 'shell' })).filter(
    (arg) => !UNSAFE_FLAGS.has(arg),
  );
  return { executablePath, args };
};

export const launchBrowser = async (spec: ChromiumLaunchSpec): Promise<Browser> =>
  puppeteer.launch({
    executablePath: spec.executablePath,
    args: spec.args,
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
