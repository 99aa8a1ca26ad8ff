import type { Browser } from 'puppeteer-core';
import { onCleanup } from '../cleanup.ts';
import { type ChromiumLaunchSpec, closeBrowserSafely, launchBrowser, renderInBrowser } from './chromium.ts';

export interface TimedPdf {
  ms: number;
  pdf: Uint8Array;
}

/**
 * The limit: what the same Chromium can do with nothing around it. One browser stays warm and every
 * render is newPage + setContent + pdf + close, in this process, with no HTTP, validation or database.
 * Whatever podpdf adds on top shows up as its distance from this line.
 */
export interface LimitRenderer {
  browser: Browser;
  /** Pid of the Chromium browser process, to compare its command line with podpdf's. */
  pid: number | undefined;
  render(html: string): Promise<TimedPdf>;
  close(): Promise<void>;
}

export const startLimitRenderer = async (spec: ChromiumLaunchSpec): Promise<LimitRenderer> => {
  const browser = await launchBrowser(spec);
  const unregister = onCleanup(() => closeBrowserSafely(browser));
  return {
    browser,
    pid: browser.process()?.pid,
    render: async (html) => {
      const start = performance.now();
      const pdf = await renderInBrowser(browser, html);
      return { ms: performance.now() - start, pdf };
    },
    close: () => {
      unregister();
      return closeBrowserSafely(browser);
    },
  };
};
