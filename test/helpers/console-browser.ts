/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import chromium from '@sparticuz/chromium';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { PROJECT_ROOT } from '../../src/local/project-tmpdir.ts';
import { getBrowser } from '../../src/renderer/browser.ts';

/**
 * Drives the web console in real headless Chromium, the project's own: the binary the renderer runs
 * (unpacked from @sparticuz/chromium, or PODPDF_CHROMIUM_PATH), driven by the project's puppeteer-core.
 * Screenshots go to .tmp/console/.
 */

export const SCREENSHOTS = join(PROJECT_ROOT, '.tmp/console');

let executablePath: string | undefined;

/** A browser like a person's: no renderer isolation flags (its proxy), none that weaken security. */
export const launchBrowser = async (): Promise<Browser> => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // The executable the renderer launched (unpacked from @sparticuz/chromium, or PODPDF_CHROMIUM_PATH).
  executablePath ??= (await getBrowser()).process()?.spawnfile;
  assert.ok(executablePath, 'the renderer has a Chromium executable');
  const unsafe = new Set(['--disable-web-security', '--allow-running-insecure-content', '--single-process']);
  return puppeteer.launch({
    executablePath,
    args: chromium.args.filter((arg) => !unsafe.has(arg)),
    headless: 'shell',
    defaultViewport: { width: 1280, height: 900 },
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
};

/** Everything the page asked for and every console message, to check what left the machine. */
export const watch = (page: Page) => {
  const requests: string[] = [];
  const messages: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => messages.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (err) => messages.push(`pageerror: ${err}`));
  return { requests, messages };
};

/** The page's text as rendered: what is hidden (`hidden`, display: none) is not in it. */
export const visibleText = (page: Page, id?: string): Promise<string> =>
  page.evaluate(
    // biome-ignore lint/performance/useDomNodeTextContent: innerText is the text a person sees; textContent includes hidden nodes
    (elementId) => (elementId ? document.getElementById(elementId) : document.body)?.innerText ?? '',
    id,
  );

/** Waits until the visible text (of the element `id`, or the whole page) matches `pattern`. */
export const waitForText = async (
  page: Page,
  pattern: RegExp,
  id?: string,
  timeout = 30_000,
): Promise<string> => {
  const deadline = Date.now() + timeout;
  for (;;) {
    const text = await visibleText(page, id);
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) assert.fail(`${pattern} never showed; last text:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

export const focusedId = (page: Page): Promise<string> =>
  page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName || '');

/** Presses Tab until the element with `id` has focus; the ids passed on the way. */
export const tabTo = async (page: Page, id: string, max = 60): Promise<string[]> => {
  const passed: string[] = [];
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press('Tab');
    const focused = await focusedId(page);
    passed.push(focused);
    if (focused === id) return passed;
  }
  assert.fail(`Tab never reached #${id}: ${passed.join(' → ')}`);
};

export const shoot = async (page: Page, name: string): Promise<void> => {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
};

export const isLoopback = (url: string): boolean => {
  if (url.startsWith('blob:') || url.startsWith('data:')) return true;
  const { hostname } = new URL(url);
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
};
