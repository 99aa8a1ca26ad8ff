import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Target } from 'puppeteer-core';
import { getBrowser } from '../../../src/renderer/browser.ts';
import { scriptDocument } from '../../helpers/attack-page.ts';
import { processTree } from '../../helpers/chromium-processes.ts';
import { assertNoEgress, type SecretServer } from '../../helpers/secret-server.ts';
import { startTestStack, type TestStack } from '../../helpers/stack.ts';
import {
  normalTimeBound,
  pollUntil,
  quickjob,
  stopStack,
  twoTenantKeys,
  warmBaselineMs,
} from '../../helpers/tenants.ts';

/** A short quick-job cap: popups that spin may hold their opener until it. */
const CAP_MS = 5_000;
/** Idle pages (and their processes) the renderer may keep between jobs beyond what it had before. */
const POOLED_SLACK = 2;

/** Popups of the test documents not among `known`: blob: pages and anything on loopback (podpdf opens neither). */
const popupTargets = (browser: Browser, known: Set<Target>): Target[] =>
  browser
    .targets()
    .filter((t) => !known.has(t) && (t.url().startsWith('blob:') || t.url().startsWith('http://127.0.0.1')));
const pageTargets = (browser: Browser): Target[] => browser.targets().filter((t) => t.type() === 'page');
const chromiumProcessCount = (browser: Browser): number => {
  const pid = browser.process()?.pid;
  return pid === undefined ? 0 : processTree(pid).length;
};

describe('popups, forms, navigations and resource hints', () => {
  let stack: TestStack;
  const [keyA, keyB] = twoTenantKeys();

  before(async () => {
    stack = await startTestStack({
      apiKeys: [keyA, keyB],
      env: { PODPDF_QUICKJOB_TIMEOUT_MS: String(CAP_MS) },
    });
  });
  after(async () => {
    await stopStack(stack);
  });

  const noEgress = (what: string, build: (secret: SecretServer) => string) =>
    assertNoEgress(stack, keyA, what, build);
  const quoted = (secret: SecretServer, path: string) => JSON.stringify(secret.url(path));

  it('window.open (plain, noopener, then navigated) does not reach the server', async () => {
    await noEgress('window.open', (secret) =>
      scriptDocument(
        'window-open',
        `report('plain', !!window.open(${quoted(secret, '/popup-plain')}));
         report('noopener', String(window.open(${quoted(secret, '/popup-noopener')}, '_blank', 'noopener')));
         const w = window.open('about:blank', 'named');
         if (w) w.location.href = ${quoted(secret, '/popup-navigated')};`,
      ),
    );
  });

  it('a form posted from script (to a new window, a frame or the page itself) does not reach the server', async () => {
    await noEgress(
      'a form submission',
      (secret) => `<p>forms</p>
        <form id="form-blank" target="_blank" method="post" action=${quoted(secret, '/form-blank')}><input name="q" value="1"></form>
        <iframe name="sink" srcdoc="<p>sink</p>"></iframe>
        <form id="form-frame" target="sink" method="post" action=${quoted(secret, '/form-frame')}><input name="q" value="2"></form>
        <form id="form-self" method="post" action=${quoted(secret, '/form-self')}><input name="q" value="3"></form>
        <script>for (const id of ['form-blank', 'form-frame', 'form-self']) document.getElementById(id).submit();</script>`,
    );
  });

  it('an <a ping> clicked by script does not reach the server', async () => {
    await noEgress(
      'an <a ping>',
      (secret) => `<p>ping</p>
        <a id="ping-local" href="#here" ping=${quoted(secret, '/a-ping-local')}>here</a>
        <a id="ping-link" href=${quoted(secret, '/a-nav')} target="_blank" ping=${quoted(secret, '/a-ping')}>link</a>
        <script>document.getElementById('ping-local').click(); document.getElementById('ping-link').click();</script>`,
    );
  });

  it('<meta http-equiv=refresh> does not navigate to the server', async () => {
    await assertNoEgress(
      stack,
      keyA,
      'a meta refresh',
      (secret) => `<meta http-equiv="refresh" content="0;url=${secret.url('/refresh')}"><p>refresh</p>`,
      undefined,
      'any',
    );
  });

  it('speculation rules (prerender and prefetch) do not reach the server', async () => {
    await noEgress('speculation rules', (secret) => {
      const rules = {
        prerender: [{ source: 'list', urls: [secret.url('/prerender')], eagerness: 'immediate' }],
        prefetch: [
          { source: 'list', urls: [secret.url('/spec-prefetch')], eagerness: 'immediate' },
          {
            source: 'list',
            urls: [secret.url('/spec-prefetch-anon')],
            requires: ['anonymous-client-ip-when-cross-origin'],
          },
        ],
      };
      return `<p>speculation</p><script type="speculationrules">${JSON.stringify(rules)}</script>`;
    });
  });

  it('prefetch, preload and modulepreload in a script-free document do not reach the server', async () => {
    await noEgress(
      'a resource hint',
      (secret) => `<link rel="prefetch" href="${secret.url('/link-prefetch')}">
        <link rel="preload" as="image" href="${secret.url('/link-preload.png')}">
        <link rel="preload" as="fetch" crossorigin href="${secret.url('/link-preload-fetch')}">
        <link rel="preload" as="style" href="${secret.url('/link-preload.css')}">
        <link rel="modulepreload" href="${secret.url('/link-modulepreload.mjs')}">
        <p>hints</p>`,
    );
  });

  it('preconnect and dns-prefetch in a script-free document open no connection', async () => {
    await noEgress(
      'a preconnect',
      (secret) => `<link rel="preconnect" href="${secret.origin}">
        <link rel="preconnect" href="${secret.origin}" crossorigin>
        <link rel="dns-prefetch" href="//127.0.0.1:${secret.port}">
        <p>preconnect</p>`,
    );
  });
  // Last, so a leftover of this test cannot stall the egress tests above; what they left is in `before`.
  it('popups, spinning or not, are gone after their request, and B is served in normal time', async () => {
    const baseline = await warmBaselineMs(stack, keyB);
    // Both kinds of document once, so the renderer's pools are as full as they get in sequence.
    assert.equal((await quickjob(stack, keyA, scriptDocument('warm script', ''))).status, 200);
    assert.equal((await quickjob(stack, keyA, '<p>warm script-free</p>')).status, 200);
    const browserBefore = await getBrowser();
    const targetsBefore = new Set(browserBefore.targets());
    const pagesBefore = pageTargets(browserBefore).length;
    const processesBefore = chromiumProcessCount(browserBefore);

    for (let request = 0; request < 3; request += 1) {
      const opener = scriptDocument(
        `opener ${request}`,
        `for (let i = 0; i < 5; i += 1) {
           const spin = i % 2 === 0 ? '<script>setTimeout(() => { while (true) {} }, 50)<\\/script>' : '';
           const html = '<title>popup ${request}-' + i + '</title><p>popup ' + i + '</p>' + spin;
           const w = window.open(URL.createObjectURL(new Blob([html], { type: 'text/html' })), 'popup-${request}-' + i);
           report('popup ' + i, w ? 'opened' : 'blocked');
         }`,
        500,
      );
      const answer = await quickjob(stack, keyA, opener);
      assert.ok(
        [200, 408].includes(answer.status),
        `the opener gets its PDF or its own timeout (got ${answer.status} ${answer.errorCode})`,
      );
      assert.ok(answer.ms < CAP_MS + 1_500, `the opener answered within the cap (${answer.ms} ms)`);
    }

    // Closing may finish just after the answers: bounded wait.
    const browser = await getBrowser();
    const settled = await pollUntil(
      () =>
        popupTargets(browser, targetsBefore).length === 0 &&
        pageTargets(browser).length <= pagesBefore + POOLED_SLACK
          ? true
          : undefined,
      5_000,
      'the popups to close',
    ).catch(() => false);
    assert.ok(
      settled,
      `popups outlived their requests: ${popupTargets(browser, targetsBefore)
        .map((t) => `${t.type()} ${t.url()}`)
        .join(', ')}; page targets ${pageTargets(browser).length}, before ${pagesBefore}`,
    );
    if (browser === browserBefore) {
      const processes = await pollUntil(
        () => {
          const count = chromiumProcessCount(browser);
          return count <= processesBefore + POOLED_SLACK ? count : undefined;
        },
        5_000,
        'Chromium processes to exit',
      ).catch(() => chromiumProcessCount(browser));
      assert.ok(
        processes <= processesBefore + POOLED_SLACK,
        `Chromium processes ${processes}, before ${processesBefore}`,
      );
    }

    const next = await quickjob(stack, keyB, '<p>tenant B after the popups</p>');
    assert.equal(next.status, 200);
    assert.equal(next.text, 'tenant B after the popups');
    const bound = normalTimeBound(baseline);
    assert.ok(next.ms <= bound, `B answered in ${next.ms} ms (baseline ${baseline} ms, bound ${bound} ms)`);
  });
});
