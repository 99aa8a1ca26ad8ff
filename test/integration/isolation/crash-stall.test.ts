import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { type LoopbackSite, PIXEL_PNG, startLoopbackSite } from '../../helpers/loopback-site.ts';
import { isPdf } from '../../helpers/pdf.ts';
import { startTestStack, type TestStack } from '../../helpers/stack.ts';
import {
  normalTimeBound,
  pollUntil,
  quickjob,
  stopStack,
  twoTenantKeys,
  warmBaselineMs,
} from '../../helpers/tenants.ts';

/** A short quick-job cap keeps each stall a few seconds; the code path is the one of the real 30 s. */
const CAP_MS = 5_000;
/** A stalled quick job's 408 may come this long after the cap (recording, closing the page). */
const ANSWER_SLACK_MS = 1_500;
/**
 * The processor's render deadline is its invocation's end less PODPDF_PROCESSOR_RESERVE_MS; the local
 * poller gives each invocation the function's 900 s (serverless.yml), so this reserve leaves a long
 * job 8 s to render.
 */
const PROCESSOR_TIMEOUT_MS = 900_000;
const LONGJOB_RENDER_MS = 8_000;

/**
 * A few hundred bytes of script-free SVG that keep Chromium's raster busy for tens of seconds: a chain
 * of wide Gaussian blurs over a 20000 px square (each blur a few seconds on its own). Attributes are
 * unquoted, and each self-closing slash has a space before it, so the values parse as numbers.
 */
const SVG_BLUR = `<svg width=20000 height=20000><filter id=f>${'<feGaussianBlur stdDeviation=500 />'.repeat(6)}</filter><rect width=20000 height=20000 filter=url(#f) /></svg>`;
/** Heavy CSS: blurred boxes with dozens of huge shadows each. */
const CSS_BLUR = `<style>div{width:3000px;height:3000px;filter:blur(300px);box-shadow:${Array.from(
  { length: 50 },
  (_, i) => `0 0 ${200 + i}px ${i}px red`,
).join(',')}}</style>${'<div></div>'.repeat(20)}`;
const SPIN = '<p>spin</p><script>while (true) {}</script>';
/** podpdf's answers to a document that fails only itself: its deadline, or the renderer memory cap. */
const TIMED_OUT = '408 QUICKJOB_TIMEOUT';
const OVER_MEMORY = '422 RENDER_MEMORY_EXCEEDED';

describe('one account crashing or stalling the renderer does not reach another', () => {
  let stack: TestStack;
  let site: LoopbackSite;
  const [keyA, keyB] = twoTenantKeys();
  /** Responses the site holds until the test lets them go (keeps B's render in flight). */
  const held = new Map<string, ServerResponse>();
  const release = (path: string) => {
    held.get(path)?.writeHead(200, { 'content-type': 'image/png' }).end(PIXEL_PNG);
    held.delete(path);
  };

  before(async () => {
    site = await startLoopbackSite((req, res) => {
      if (req.path.startsWith('/held-')) held.set(req.path, res);
      else res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' }).end(PIXEL_PNG);
    });
    stack = await startTestStack({
      apiKeys: [keyA, keyB],
      queueVisibilityTimeoutSeconds: 30,
      env: {
        PODPDF_QUICKJOB_TIMEOUT_MS: String(CAP_MS),
        PODPDF_PROCESSOR_RESERVE_MS: String(PROCESSOR_TIMEOUT_MS - LONGJOB_RENDER_MS),
        // The site stands in for a public host; the stalls themselves load nothing.
        PODPDF_ALLOW_PRIVATE_NETWORK: 'true',
      },
    });
  });
  after(async () => {
    for (const path of [...held.keys()]) release(path);
    await stopStack(stack);
    await site.close();
  });

  for (const rel of ['stylesheet', 'prefetch']) {
    it(`a headerTemplate with <link rel=${rel}> to example.invalid fails at most its own request`, async (t) => {
      const heldPath = `/held-${rel}.png`;
      // B's document waits on an image the site holds: B is mid-render when A's request arrives.
      const bPending = quickjob(stack, keyB, `<p>B mid-render</p><img src="${site.url(heldPath)}">`);
      await site.waitForRequest((r) => r.path === heldPath, 10_000);
      const aPending = quickjob(stack, keyA, '<p>A with a header</p>', {
        displayHeaderFooter: true,
        headerTemplate: `<link rel="${rel}" href="https://example.invalid/x.css"><span style="font-size:10px">header</span>`,
        margin: { top: '20mm' },
      });
      // B must finish inside its own cap: let its image go when A answers, or at most 2.5 s on.
      await Promise.race([aPending, delay(2_500, undefined, { ref: false })]);
      release(heldPath);
      const [a, b] = await Promise.all([aPending, bPending]);
      t.diagnostic(`A: ${a.status} ${a.errorCode ?? ''}; B: ${b.status} after ${b.ms} ms`);

      const refused = a.status === 400 && /VALIDATION|TEMPLATE/.test(a.errorCode ?? '');
      const rendered = a.status === 200 && isPdf(a.body);
      const failedAlone = a.status >= 400 && a.errorCode !== undefined;
      assert.ok(
        refused || rendered || failedAlone,
        `A gets a validation error, a PDF or its own podpdf error (got ${a.status} ${a.errorCode})`,
      );
      assert.equal(b.status, 200, `B's concurrent request failed with ${b.status} ${b.errorCode}`);
      assert.ok(isPdf(b.body));
      assert.equal(b.text, 'B mid-render');
    });
  }

  /**
   * The SVG's 20000 px bitmaps also take the renderer to about the memory cap, so its own failure is
   * either podpdf's timeout or the memory watchdog's kill, whichever comes first.
   */
  const stalls: Array<[string, string, string[]]> = [
    ['a script-free SVG blur filter', SVG_BLUR, [TIMED_OUT, OVER_MEMORY]],
    ['heavy CSS blurs and box shadows', CSS_BLUR, [TIMED_OUT]],
    ['a while (true) script', SPIN, [TIMED_OUT]],
  ];
  for (const [name, html, ownFailures] of stalls) {
    it(`${name}: A gets podpdf's own error within the cap, B's next request is served in normal time`, async () => {
      const baseline = await warmBaselineMs(stack, keyB);
      const a = await quickjob(stack, keyA, html);
      assert.ok(ownFailures.includes(`${a.status} ${a.errorCode}`), `A got ${a.status} ${a.errorCode}`);
      assert.match(a.contentType, /^application\/json/);
      assert.ok(a.ms <= CAP_MS + ANSWER_SLACK_MS, `A's answer came after ${a.ms} ms`);

      const b = await quickjob(stack, keyB, '<p>B after the stall</p>');
      assert.equal(b.status, 200, `B got ${b.status} ${b.errorCode}`);
      assert.equal(b.text, 'B after the stall');
      const bound = normalTimeBound(baseline);
      assert.ok(b.ms <= bound, `B answered in ${b.ms} ms (baseline ${baseline} ms, bound ${bound} ms)`);
    });
  }

  it("B's requests sent while A's SVG stall is running are served in normal time", async () => {
    const baseline = await warmBaselineMs(stack, keyB);
    const bound = normalTimeBound(baseline);
    // A's document signals through the site once it is loading; its print (the stall) follows at once.
    const aPending = quickjob(stack, keyA, `<img src="${site.url('/a-started.png')}">${SVG_BLUR}`);
    await site.waitForRequest((r) => r.path === '/a-started.png', 10_000);
    let aAnswered = false;
    aPending
      .finally(() => {
        aAnswered = true;
      })
      .catch(() => undefined); // awaited below
    let served = 0;
    for (let i = 0; i < 3 && !aAnswered; i += 1) {
      const b = await quickjob(stack, keyB, `<p>B during the stall ${i}</p>`);
      assert.equal(b.status, 200, `B's request ${i} got ${b.status} ${b.errorCode}`);
      assert.equal(b.text, `B during the stall ${i}`);
      assert.ok(
        b.ms <= bound,
        `B's request ${i} took ${b.ms} ms (baseline ${baseline} ms, bound ${bound} ms)`,
      );
      served += 1;
    }
    const a = await aPending;
    assert.ok(served > 0, "at least one of B's requests ran while A was stalled");
    assert.ok(
      [TIMED_OUT, OVER_MEMORY].includes(`${a.status} ${a.errorCode}`),
      `A got ${a.status} ${a.errorCode}`,
    );
  });

  it("A's waits that never resolve (a costly expression polled, a network that never goes quiet) fail only A, naming the wait", async () => {
    const baseline = await warmBaselineMs(stack, keyB);
    const bound = normalTimeBound(baseline);
    const costly = '(() => { let x = 0; for (let i = 0; i < 5e7; i += 1) x += i; return x < 0; })()';
    // A fetches a held path again and again: the network is never idle.
    const chatty = `<p>A</p><script>setInterval(() => fetch('${site.url('/held-chatty')}').catch(() => 0), 100)</script>`;
    for (const [options, html, wait] of [
      [{ waitForExpression: costly }, '<p>A waits</p>', 'waitForExpression'],
      [{ waitUntil: 'networkidle' }, chatty, 'waitUntil networkidle'],
    ] as const) {
      const aPending = quickjob(stack, keyA, html, options);
      const b = await quickjob(stack, keyB, '<p>B while A waits</p>');
      assert.equal(b.status, 200, `B got ${b.status} ${b.errorCode}`);
      assert.equal(b.text, 'B while A waits');
      assert.ok(b.ms <= bound, `B answered in ${b.ms} ms (baseline ${baseline} ms, bound ${bound} ms)`);
      const a = await aPending;
      assert.equal(`${a.status} ${a.errorCode}`, TIMED_OUT);
      assert.equal(a.error?.details.waiting_for, wait);
    }
    for (const path of [...held.keys()]) release(path);
  });

  it("a stalled long job of A does not hold back B's long job", async () => {
    const submit = async (apiKey: string, html: string) => {
      const res = await stack.call('POST', '/longjob', { apiKey, body: { input_type: 'html', html } });
      assert.equal(res.status, 202);
      return String(((await res.json()) as { job_id: string }).job_id);
    };
    const job = async (apiKey: string, id: string) =>
      (await (await stack.call('GET', `/jobs/${id}`, { apiKey })).json()) as {
        status: string;
        error_code: string | null;
      };
    const terminal = (apiKey: string, id: string, timeoutMs: number) =>
      pollUntil(
        async () => {
          const row = await job(apiKey, id);
          return ['completed', 'failed', 'timeout', 'cancelled'].includes(row.status) ? row : undefined;
        },
        timeoutMs,
        `job ${id} to finish`,
      );

    // B's warm long-job time, submission to completed, with the same polling.
    await terminal(keyB, await submit(keyB, '<p>B warm-up</p>'), 30_000);
    let started = Date.now();
    const warm = await terminal(keyB, await submit(keyB, '<p>B baseline</p>'), 30_000);
    assert.equal(warm.status, 'completed');
    const baseline = Date.now() - started;

    const aId = await submit(keyA, SVG_BLUR);
    started = Date.now();
    const bId = await submit(keyB, '<p>B beside the stall</p>');
    const b = await terminal(keyB, bId, 30_000);
    const bMs = Date.now() - started;
    assert.equal(b.status, 'completed', `B's job ended ${b.status} ${b.error_code}`);
    // The poller receives with a 1 s long poll: a second of slack on top of the quick-job bound.
    const bound = normalTimeBound(baseline) + 1_000;
    assert.ok(bMs <= bound, `B's job took ${bMs} ms (baseline ${baseline} ms, bound ${bound} ms)`);

    const a = await terminal(keyA, aId, LONGJOB_RENDER_MS + 15_000);
    assert.equal(a.status, 'failed');
    assert.ok(
      ['RENDER_TIMEOUT', 'RENDER_MEMORY_EXCEEDED'].includes(a.error_code ?? ''),
      `A's job failed with ${a.error_code}`,
    );
  });
});
