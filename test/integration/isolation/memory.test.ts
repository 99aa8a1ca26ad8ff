import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { getBrowser } from '../../../src/renderer/browser.ts';
import { scriptDocument } from '../../helpers/attack-page.ts';
import { MB, treeRssBytes } from '../../helpers/chromium-processes.ts';
import { type LoopbackSite, startLoopbackSite } from '../../helpers/loopback-site.ts';
import { pngBomb } from '../../helpers/png-bomb.ts';
import { startTestStack, type TestStack } from '../../helpers/stack.ts';
import {
  type Answer,
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
/** How long the site holds a bomb that A's document asked for but does not wait on. */
const SLOW_MS = 1_500;

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
  /** 42 megapixels: under the one-image limit, four of them over the document's total. */
  const big = pngBomb(7_000, 6_000);

  before(async () => {
    site = await startLoopbackSite((req, res) => {
      if (req.path === '/bomb.png') res.writeHead(200, { 'content-type': 'image/png' }).end(bomb);
      else if (req.path === '/big.png') res.writeHead(200, { 'content-type': 'image/png' }).end(big);
      else if (req.path === '/slow-bomb.png')
        setTimeout(() => res.writeHead(200, { 'content-type': 'image/png' }).end(bomb), SLOW_MS);
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

  /**
   * Runs A's document, sampling Chromium's memory, then checks what must hold whatever A's document
   * did: A got a PDF or podpdf's own error within its cap, Chromium's memory came back to its baseline
   * and B's next request is served in normal time.
   */
  const attackFailsOnlyA = async (
    t: TestContext,
    html: string,
    checkA?: (a: Answer) => void,
  ): Promise<void> => {
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
    const a = await quickjob(stack, keyA, html).finally(() => {
      sampling = false;
    });
    await sampler;
    t.diagnostic(
      `A: ${a.status} ${a.errorCode ?? ''} after ${a.ms} ms; Chromium RSS ${Math.round(rssBefore / MB)} MB before, peak ${Math.round(peak / MB)} MB`,
    );
    assert.ok(a.ms <= CAP_MS + ANSWER_SLACK_MS, `A answered after ${a.ms} ms`);
    assert.ok(
      (a.status === 200 && a.contentType === 'application/pdf') || a.errorCode !== undefined,
      `A gets a PDF or podpdf's own error, not a gateway failure (got ${a.status})`,
    );
    checkA?.(a);

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

    const b = await quickjob(stack, keyB, '<p>B after the attack</p>');
    assert.equal(b.status, 200, `B got ${b.status} ${b.errorCode}`);
    assert.equal(b.text, 'B after the attack');
    const bound = normalTimeBound(baseline);
    assert.ok(b.ms <= bound, `B answered in ${b.ms} ms (baseline ${baseline} ms, bound ${bound} ms)`);
  };

  // Each way a document loads an image from the network: the response is sized before it decodes.
  const loads: Array<[string, (url: string) => string]> = [
    ['<img>', (url) => `<img src="${url}">`],
    ['a CSS background', (url) => `<div style="width:10px;height:10px;background:url('${url}')"></div>`],
    ['an SVG <image>', (url) => `<svg width=10 height=10><image href="${url}" width=10 height=10 /></svg>`],
    ['new Image() from script', (url) => `<script>new Image().src = ${JSON.stringify(url)};</script>`],
  ];
  for (const [name, markup] of loads) {
    it(`the same bomb from a web host as ${name} is refused as it arrives: 422 IMAGE_TOO_LARGE for A alone`, async (t) => {
      const path = `/bomb.png?as=${encodeURIComponent(name)}`;
      await attackFailsOnlyA(t, `<p>bomb</p>${markup(site.url(path))}`, (a) => {
        assert.equal(a.status, 422, `A got ${a.status} ${a.errorCode} after ${a.ms} ms`);
        assert.equal(a.errorCode, 'IMAGE_TOO_LARGE');
        assert.equal(a.error?.details.scope, 'loaded-image');
        assert.equal(a.error?.details.width, 20_000);
        assert.ok(a.ms <= PRECHECK_MS + 1_000, `refused after ${a.ms} ms`);
      });
      assert.equal(site.requestsTo('/bomb.png').length > 0, true, 'the bomb was fetched');
    });
  }

  it("a bomb A asked for but did not wait on never counts against B's documents", async () => {
    // A preload does not hold up A's print: the bomb arrives while B's documents use the same page.
    const a = await quickjob(
      stack,
      keyA,
      `<p>A</p><link rel=preload as=image href="${site.url('/slow-bomb.png')}">`,
    );
    assert.equal(a.status, 200, `A got ${a.status} ${a.errorCode}`);
    const until = Date.now() + SLOW_MS + 1_000;
    let served = 0;
    while (Date.now() < until) {
      const b = await quickjob(stack, keyB, `<p>B ${served}</p>`);
      assert.equal(b.status, 200, `B's request ${served} got ${b.status} ${b.errorCode}`);
      served += 1;
    }
    assert.equal(site.requestsTo('/slow-bomb.png').length, 1, "A's bomb was asked for");
  });

  it("images that are each allowed but together past the document's total are refused", async (t) => {
    const images = [1, 2, 3, 4].map((i) => `<img src="${site.url(`/big.png?n=${i}`)}" width=10>`).join('');
    await attackFailsOnlyA(t, `<p>many</p>${images}`, (a) => {
      assert.equal(a.status, 422, `A got ${a.status} ${a.errorCode}`);
      assert.equal(a.errorCode, 'IMAGE_TOO_LARGE');
      assert.equal(a.error?.details.scope, 'loaded-images');
    });
  });

  it('a long job whose document loads the bomb fails with IMAGE_TOO_LARGE', async () => {
    const res = await stack.call('POST', '/longjob', {
      apiKey: keyA,
      body: { input_type: 'html', html: `<img src="${site.url('/bomb.png?as=longjob')}">` },
    });
    assert.equal(res.status, 202);
    const { job_id } = (await res.json()) as { job_id: string };
    const job = await pollUntil(
      async () => {
        const row = (await (await stack.call('GET', `/jobs/${job_id}`, { apiKey: keyA })).json()) as {
          status: string;
          error_code: string | null;
        };
        return row.status === 'failed' || row.status === 'completed' ? row : undefined;
      },
      20_000,
      'the long job to finish',
    );
    assert.equal(job.status, 'failed');
    assert.equal(job.error_code, 'IMAGE_TOO_LARGE');
  });

  // The markup caps refuse these written out; built by script they reach the renderer.
  const built: Array<[string, string]> = [
    [
      '600,000 blocks',
      `const f = document.createDocumentFragment();
       for (let i = 0; i < 600000; i += 1) f.appendChild(document.createElement('div')).textContent = 'x' + i;
       document.body.appendChild(f);`,
    ],
    [
      '10,000 nested tables',
      `let cell = document.body;
       for (let i = 0; i < 10000; i += 1) cell = cell.appendChild(document.createElement('table')).insertRow().insertCell();
       cell.textContent = 'x';`,
    ],
  ];
  for (const [name, script] of built) {
    it(`${name} built by script fail only A, and Chromium gives its memory back`, async (t) => {
      await attackFailsOnlyA(t, `<body><p>built</p><script>${script}</script></body>`);
    });
  }

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
