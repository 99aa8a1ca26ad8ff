import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { renderOptionsSchema } from '../../../src/domain/render-request.ts';
import { useProjectTmpdir } from '../../../src/local/project-tmpdir.ts';
import { getBrowser } from '../../../src/renderer/browser.ts';
import { closeRenderer } from '../../../src/renderer/pages.ts';
import { renderPdf, SourceUnreachableError } from '../../../src/renderer/render.ts';

describe('URL source in the renderer', () => {
  after(closeRenderer);

  it("leaves no cookie in the browser's default context when a URL job had the launch page", async () => {
    useProjectTmpdir();
    await closeRenderer();
    const browser = await getBrowser();
    // The first public-only job of a fresh browser takes its launch page, in the default context.
    // Loopback is refused for it, after its cookie was set.
    const failed = await renderPdf(
      { source: { url: 'http://127.0.0.1:9/', cookies: [{ name: 'session', value: 'tenant-a' }] } },
      renderOptionsSchema.parse({}),
      { deadline: Date.now() + 15_000, maxPages: 100, allowPrivateNetwork: false, streamPdf: false },
    ).then(
      () => undefined,
      (err: unknown) => err,
    );
    assert.ok(failed instanceof SourceUnreachableError, String(failed));
    assert.deepEqual(await browser.defaultBrowserContext().cookies(), []);
  });
});
