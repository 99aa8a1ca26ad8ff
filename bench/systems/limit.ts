import type { Browser, Page } from 'puppeteer-core';
import { onCleanup } from '../cleanup.ts';
import {
  type ChromiumLaunchSpec,
  closeBrowserSafely,
  launchBrowser,
  renderInBrowser,
  renderInPage,
} from './chromium.ts';

export interface TimedPdf {
  ms: number;
  pdf: Uint8Array;
}

/**
 * The limit: what the same Chromium can do with nothing around it. One browser stays warm, and so do
 * its pages: every render is setContent + pdf into a page left open by an earlier render (one page per
 * render in flight), in this process, with no HTTP, validation or database. Whatever podpdf adds on top
 * shows up as its distance from this line. (podpdf shares pages only between script-free documents, with
 * JavaScript off.)
 */
export interface LimitRenderer {
  browser: Browser;
  /** Pid of the Chromium browser process, to compare its command line with podpdf's. */
  pid: number | undefined;
  render(html: string): Promise<TimedPdf>;
  /**
   * The same browser, but each render in a page of its own (newPage, setContent, pdf, close), as podpdf
   * does for documents that may run script: what that isolation costs, with nothing else added.
   */
  renderInOwnPage(html: string): Promise<TimedPdf>;
  close(): Promise<void>;
}

export const startLimitRenderer = async (spec: ChromiumLaunchSpec): Promise<LimitRenderer> => {
  const browser = await launchBrowser(spec);
  const unregister = onCleanup(() => closeBrowserSafely(browser));
  const idle: Page[] = [];
  return {
    browser,
    pid: browser.process()?.pid,
    render: async (html) => {
      const start = performance.now();
      // A page is opened only when more renders are in flight than ever before: warm-up rounds do that.
      const page = idle.pop() ?? (await browser.newPage());
      try {
        const pdf = await renderInPage(page, html);
        return { ms: performance.now() - start, pdf };
      } finally {
        idle.push(page);
      }
    },
    renderInOwnPage: async (html) => {
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
