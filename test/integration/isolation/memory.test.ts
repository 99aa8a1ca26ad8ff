import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getBrowser } from '../../../src/renderer/browser.ts';
import { scriptDocument } from '../../helpers/attack-page.ts';
import { MB, treeRssBytes } from '../../helpers/chromium-processes.ts';
import { type LoopbackSite, startLoopbackSite } from '../../helpers/loopback-site.ts';
import { pngBomb } from '../../helpers/png-bomb.ts';
import { startTestStack, type TestStack } from '../../helpers/stack.ts';
import {
  normalTimeBound,
  pollUntil,
  quickjob,
  stopStack,
  twoTenantKeys,
  warmBaselineMs,
} from '../../helpers/tenants.ts';

const CAP_MS = 5_000;
const ANSWER_SLACK_MS = 1_500;
/** How far above its warm baseline Chromium's resident memory may stay once a bomb's job is over. */
const RSS_MARGIN_BYTES = 300 * MB;
/** A refusal before rendering is a parse of the request: well under a second. */
const PRECHECK_MS = 2_000;

/** Resident memory of the running browser and all its processes. */
const chromiumRss = async (): Promise<number> => {
  const pid = (await getBrowser()).process()?.pid;
  assert.ok(pid !== undefined, 'Chromium runs as a child process');
  return treeRssBytes(pid);
};

describe('one account cannot exhaust the renderer memory another needs', () => {
  let stack: TestStack;
  let site: LoopbackSite;
  const [keyA, keyB] = twoTenantKeys();
  const bomb = pngBomb();

  before(async () => {
    site = await startLoopbackSite((req, res) => {
      if (req.path === '/bomb.png') res.writeHead(200, { 'content-type': 'image/png' }).end(bomb);
      else res.writeHead(404).end();
    });
    stack = await startTestStack({
      apiKeys: [keyA, keyB],
      // The site stands in for a public host, out of reach of any pre-check on the request body.
      env: { PODPDF_QUICKJOB_TIMEOUT_MS: String(CAP_MS), PODPDF_ALLOW_PRIVATE_NETWORK: 'true' },
    });
  });
  after(async () => {
    await stopStack(stack);
    await site.close();
  });

  it('a 20000×20000 PNG bomb inline as a data: URI is refused with 400 IMAGE_TOO_LARGE before rendering', async () => {
    assert.ok(bomb.length < 100_000, `the bomb is small (${bomb.length} bytes)`);
    const html = `<p>bomb</p><img src="data:image/png;base64,${bomb.toString('base64')}">`;
    const a = await quickjob(stack, keyA, html);
    assert.equal(a.status, 400, `got ${a.status} ${a.errorCode} after ${a.ms} ms`);
    assert.equal(a.errorCode, 'IMAGE_TOO_LARGE');
    assert.ok(a.ms <= PRECHECK_MS, `refused after ${a.ms} ms`);
  });

  it('the same bomb from a web host fails only A, and Chromium gives its memory back', async (t) => {
    const baseline = await warmBaselineMs(stack, keyB);
    const rssBefore = await chromiumRss();

    let peak = rssBefore;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, await chromiumRss().catch(() => 0));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const a = await quickjob(stack, keyA, `<p>bomb</p><img src="${site.url('/bomb.png')}">`).finally(() => {
      sampling = false;
    });
    await sampler;
    t.diagnostic(
      `A: ${a.status} ${a.errorCode ?? ''} after ${a.ms} ms; Chromium RSS ${Math.round(rssBefore / MB)} MB before, peak ${Math.round(peak / MB)} MB`,
    );
    assert.equal(site.requestsTo('/bomb.png').length, 1, 'the bomb was fetched: the renderer had to face it');
    assert.ok(a.ms <= CAP_MS + ANSWER_SLACK_MS, `A answered after ${a.ms} ms`);
    assert.ok(
      (a.status === 200 && a.contentType === 'application/pdf') || a.errorCode !== undefined,
      `A gets a PDF or podpdf's own error, not a gateway failure (got ${a.status})`,
    );

    const limit = rssBefore + RSS_MARGIN_BYTES;
    const settled = await pollUntil(
      async () => {
        const rss = await chromiumRss();
        return rss <= limit ? rss : undefined;
      },
      10_000,
      'Chromium memory to come back down',
      250,
    ).catch(() => undefined);
    const now = await chromiumRss();
    assert.ok(
      settled !== undefined,
      `Chromium RSS stays at ${Math.round(now / MB)} MB, baseline ${Math.round(rssBefore / MB)} MB + ${RSS_MARGIN_BYTES / MB} MB`,
    );

    const b = await quickjob(stack, keyB, '<p>B after the bomb</p>');
    assert.equal(b.status, 200, `B got ${b.status} ${b.errorCode}`);
    assert.equal(b.text, 'B after the bomb');
    const bound = normalTimeBound(baseline);
    assert.ok(b.ms <= bound, `B answered in ${b.ms} ms (baseline ${baseline} ms, bound ${bound} ms)`);
  });

  it('SharedArrayBuffer is unavailable to documents', async () => {
    const answer = await quickjob(
      stack,
      keyA,
      scriptDocument(
        'shared memory',
        `report('SharedArrayBuffer', typeof SharedArrayBuffer);
         report('crossOriginIsolated', String(self.crossOriginIsolated));`,
      ),
    );
    assert.equal(answer.status, 200);
    // pdfjs splits words at ligatures ("unde fi ned"): compare without spaces.
    const text = answer.text.replace(/\s+/g, '');
    assert.ok(text.includes('SharedArrayBuffer:undefined'), answer.text);
    assert.ok(text.includes('crossOriginIsolated:false'), answer.text);
  });
});
