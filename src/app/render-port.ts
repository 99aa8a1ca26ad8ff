import { getBrowser } from '../renderer/browser.ts';
import { renderPdf } from '../renderer/render.ts';

/**
 * The renderer as the use cases call it, apart from ports.ts: only the functions that render import
 * it, and with it Chromium. Unit tests replace it with `useRenderer`.
 */
let current: typeof renderPdf = renderPdf;
let currentVersion = async (): Promise<string> => (await getBrowser()).version();

export const renderDocument: typeof renderPdf = (html, options, limits) => current(html, options, limits);

/** Replaces the renderer (and its version check) until the returned function is called: for unit tests only. */
export const useRenderer = (fake: typeof renderPdf, fakeVersion?: () => Promise<string>): (() => void) => {
  const previous = { current, currentVersion };
  current = fake;
  if (fakeVersion) currentVersion = fakeVersion;
  return () => {
    ({ current, currentVersion } = previous);
  };
};

/** The running (or newly launched) browser's version: proof the renderer can render. */
export const rendererVersion = (): Promise<string> => currentVersion();
