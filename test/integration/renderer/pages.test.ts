import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'puppeteer-core';
import { renderOptionsSchema } from '../../../src/domain/render-request.ts';
import { useProjectTmpdir } from '../../../src/local/project-tmpdir.ts';
import { discardBrowser, getBrowser, getLaunchCount } from '../../../src/renderer/browser.ts';
import { closeRenderer } from '../../../src/renderer/pages.ts';
import { renderPdf } from '../../../src/renderer/render.ts';
import { parsePdf } from '../../helpers/pdf.ts';

const OPTIONS = renderOptionsSchema.parse({});
const render = (html: string) =>
  renderPdf(html, OPTIONS, {
    deadline: Date.now() + 20_000,
    maxPages: 100,
    allowPrivateNetwork: false,
    streamPdf: false,
  });
/** Makes a document one that may run script, so it gets a page of its own. */
const SCRIPT = '<script>void 0</script>';
const textOf = async (html: string) => (await parsePdf((await render(html)).file.bytes)).pageTexts.join(' ');

/** The page the renderer opened ahead, once it is the browser's only page (bounded wait). */
const pageOpenedAhead = async (browser: Browser): Promise<Page> => {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const open = (await browser.pages()).filter((page) => !page.isClosed());
    if (open.length === 1) return open[0] as Page;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the browser did not settle on one page opened ahead within 5 s');
};

/** Waits (bounded) for a page to close: the renderer closes used pages after answering. */
const closed = async (page: Page): Promise<boolean> => {
  for (let attempt = 0; attempt < 100 && !page.isClosed(); attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return page.isClosed();
};

describe('renderer pages', () => {
  before(() => {
    useProjectTmpdir();
  });
  after(async () => {
    await closeRenderer();
  });

  it('prints each document that may run script in the page opened ahead for it, then closes that page', async () => {
    await render(`<p>first</p>${SCRIPT}`);
    const browser = await getBrowser();
    const ahead = await pageOpenedAhead(browser);
    assert.match(await textOf(`<p>second</p>${SCRIPT}`), /second/);
    assert.equal(await closed(ahead), true, 'the page opened ahead was used and closed');
    const next = await pageOpenedAhead(browser);
    assert.notEqual(next, ahead, 'a new page is opened for the document after');
  });

  it('lets nothing of one document reach the next (globals, window.name, timers)', async () => {
    await render(`<p>planting</p><script>
      globalThis.plantedSecret = 'secret-of-customer-a';
      window.name = 'secret-of-customer-a';
      setInterval(() => { document.title = 'secret-of-customer-a'; }, 1);
    </script>`);
    const text = await textOf(`<p id="out"></p><script>
      out.textContent = ['global:' + typeof globalThis.plantedSecret, 'name:' + (window.name || 'empty'),
        'title:' + (document.title || 'empty')].join(' ');
    </script>`);
    // pdf.js splits words at ligatures ("unde fi ned"), so compare without spaces.
    assert.equal(text.replace(/\s+/g, ''), 'global:undefinedname:emptytitle:empty');
  });

  it('opens a page in the new browser when the one opened ahead belongs to a browser that died', async () => {
    await render(`<p>before</p>${SCRIPT}`);
    const dead = await getBrowser();
    const stale = await pageOpenedAhead(dead);
    const launches = getLaunchCount();
    discardBrowser(dead);
    assert.match(await textOf(`<p>after the crash</p>${SCRIPT}`), /after the crash/);
    assert.equal(getLaunchCount(), launches + 1);
    // The page opened ahead could not serve it: the document printed in the browser launched after.
    const alive = await getBrowser();
    assert.notEqual(alive, dead);
    assert.equal(stale.browser(), dead);
  });
});
