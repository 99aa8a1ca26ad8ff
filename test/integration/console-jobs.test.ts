/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'puppeteer-core';
import { launchBrowser, shoot, visibleText, waitForText, watch } from '../helpers/console-browser.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';

/**
 * The web console's jobs page in real headless Chromium, against a local stack that processes no long
 * job (no queue pollers), so a job stays queued: polling, its backoff and its stop, Cancel by keyboard.
 */

describe('web console jobs page, with jobs left queued', () => {
  let stack: TestStack;
  let browser: Browser;

  before(async () => {
    // No queue pollers: a long job stays queued until it is cancelled.
    stack = await startTestStack({ pollQueues: false });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('polls while a job is queued, offers Cancel and no Download, and stops once nothing is active', async () => {
    const page = await browser.newPage();
    const { requests } = watch(page);
    await page.goto(`${stack.url}/#jobs`, { waitUntil: 'load' });
    const text = await visibleText(page);
    assert.match(text, /Enter your API key to see your jobs/);
    await page.type('#api-key', stack.apiKey);
    // The key is kept when the page reloads in the same tab (sessionStorage), never in the URL.
    await page.reload({ waitUntil: 'load' });
    assert.equal(await page.$eval('#api-key', (input) => (input as HTMLInputElement).value), stack.apiKey);
    await page.click('#nav-playground');
    await page.waitForSelector('#opt-format');
    await page.click('#render-long');
    await page.waitForSelector('#jobs-body tr[data-status="queued"]');
    await waitForText(page, /1 active job: checking again in 3 s/, 'poll-status');
    const listCalls = () => requests.filter((url) => new URL(url).pathname === '/jobs').length;
    const before = listCalls();
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    assert.ok(listCalls() > before, 'it polls while a job is active');
    await waitForText(page, /checking again in [4-9] s/, 'poll-status', 15_000);
    await shoot(page, '4-jobs-queued');
    const queuedText = await visibleText(page);
    assert.match(queuedText, /long\s+queued\s+(~\d+ s remaining|any moment now)?/);
    const download = await page.$eval('#jobs-body tr[data-status="queued"] button', (button) => ({
      text: (button as HTMLButtonElement).textContent,
      disabled: (button as HTMLButtonElement).disabled,
    }));
    assert.deepEqual(download, { text: 'Download', disabled: true });

    // Cancel with the keyboard: Tab to it and press Enter.
    await page.focus('#refresh-jobs');
    const passed: string[] = [];
    for (let i = 0; i < 10; i += 1) {
      await page.keyboard.press('Tab');
      const label = await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '');
      passed.push(label);
      if (label.startsWith('Cancel job')) break;
    }
    assert.match(passed.at(-1) ?? '', /^Cancel job/, passed.join(' → '));
    await page.keyboard.press('Enter');
    await page.waitForSelector('#jobs-body tr[data-status="cancelled"]');
    await waitForText(page, /No active jobs: updates paused/, 'poll-status');
    await shoot(page, '5-jobs-cancelled');
    const stopped = listCalls();
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    assert.equal(listCalls(), stopped, 'no polling once active_count is 0');
    assert.match(await visibleText(page), /long\s+cancelled/);
    await page.close();
  });
});
