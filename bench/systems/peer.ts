import { onCleanup } from '../cleanup.ts';
import { type ChromiumLaunchSpec, closeBrowserSafely, launchBrowser, renderInBrowser } from './chromium.ts';
import type { TimedPdf } from './limit.ts';

/**
 * The peer: the snippet most HTML-to-PDF endpoints start as — launch a browser for the request, render,
 * close it, answer. Same binary and flags as the limit, so the gap between the two is the launch.
 *
 *   const browser = await puppeteer.launch(...);
 *   const page = await browser.newPage();
 *   await page.setContent(html);
 *   const pdf = await page.pdf();
 *   await browser.close();
 *   return pdf;
 *
 * The close is inside the measured time because such a handler answers after it.
 */
export const renderWithFreshBrowser = async (spec: ChromiumLaunchSpec, html: string): Promise<TimedPdf> => {
  const start = performance.now();
  const browser = await launchBrowser(spec);
  const unregister = onCleanup(() => closeBrowserSafely(browser));
  try {
    const pdf = await renderInBrowser(browser, html);
    await closeBrowserSafely(browser);
    return { ms: performance.now() - start, pdf };
  } catch (err) {
    await closeBrowserSafely(browser);
    throw err;
  } finally {
    unregister();
  }
};
