import { renderPdf } from '../renderer/render.ts';

/**
 * The renderer as the use cases call it, apart from ports.ts: only the functions that render import
 * it, and with it Chromium. Unit tests replace it with `useRenderer`.
 */
let current: typeof renderPdf = renderPdf;

export const renderDocument: typeof renderPdf = (html, options, limits) => current(html, options, limits);

/** Replaces the renderer until the returned function is called: for unit tests only. */
export const useRenderer = (fake: typeof renderPdf): (() => void) => {
  const previous = current;
  current = fake;
  return () => {
    current = previous;
  };
};
