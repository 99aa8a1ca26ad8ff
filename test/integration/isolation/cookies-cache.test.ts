import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { scriptDocument } from '../../helpers/attack-page.ts';
import {
  type LoopbackSite,
  PIXEL_PNG,
  type SiteRequest,
  startLoopbackSite,
} from '../../helpers/loopback-site.ts';
import { startTestStack, type TestStack } from '../../helpers/stack.ts';
import { quickjob, stopStack, twoTenantKeys } from '../../helpers/tenants.ts';

const COOKIE_VALUE = `tenantA-${randomBytes(8).toString('hex')}`;
const STORAGE_MARK = `STORED${randomBytes(8).toString('hex').toUpperCase()}`;

/** The iframe page of the storage test: reads what its origin stored before, stores its own, reports. */
const storagePage = (who: string) => `<!DOCTYPE html><p>storage frame ${who}</p><script>
(async () => {
  const mark = ${JSON.stringify(`${who}-${STORAGE_MARK}`)};
  let ls;
  let written = false;
  try {
    ls = String(localStorage.getItem('tenant'));
    localStorage.setItem('tenant', mark);
    written = localStorage.getItem('tenant') === mark;
  } catch (e) { ls = 'denied ' + e.name; }
  let idb;
  try {
    idb = await new Promise((resolve, reject) => {
      const open = indexedDB.open('podpdf-isolation', 1);
      open.onupgradeneeded = () => open.result.createObjectStore('kv');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const db = open.result;
        const tx = db.transaction('kv', 'readwrite');
        const get = tx.objectStore('kv').get('tenant');
        get.onsuccess = () => tx.objectStore('kv').put(mark, 'tenant');
        tx.oncomplete = () => { db.close(); resolve(String(get.result)); };
        tx.onerror = () => reject(tx.error);
      };
    });
  } catch (e) { idb = 'denied ' + e; }
  parent.postMessage({ ls, idb, written }, '*');
})();
</script>`;

const cors = (req: SiteRequest): Record<string, string> => ({
  'access-control-allow-origin': String(req.headers.origin ?? '*'),
  'access-control-allow-credentials': 'true',
});

/** The "public site" both accounts' documents load from. */
const answer = (req: SiteRequest, res: ServerResponse): void => {
  const who = req.query.get('who') ?? '';
  const setCookie = `tenantA_session=${COOKIE_VALUE}; SameSite=None; Secure; Path=/`;
  switch (req.path) {
    case '/set.png':
      res.writeHead(200, { 'content-type': 'image/png', 'set-cookie': setCookie }).end(PIXEL_PNG);
      return;
    case '/set.html':
      // The frame's own next request shows whether the cookie was kept at all (within A's job).
      res
        .writeHead(200, { 'content-type': 'text/html', 'set-cookie': setCookie })
        .end(`<p>frame ${who}</p><img src="/probe.png?who=${who}-self">`);
      return;
    case '/probe.png':
      res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' }).end(PIXEL_PNG);
      return;
    case '/probe.html':
      res
        .writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-store' })
        .end(`<p>frame ${who}</p>`);
      return;
    case '/probe.json':
      res
        .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', ...cors(req) })
        .end(JSON.stringify({ who }));
      return;
    case '/cached.png':
      res
        .writeHead(200, { 'content-type': 'image/png', 'cache-control': 'public, max-age=3600' })
        .end(PIXEL_PNG);
      return;
    case '/cached.txt':
      res
        .writeHead(200, {
          'content-type': 'text/plain',
          'cache-control': 'public, max-age=3600',
          ...cors(req),
        })
        .end('cached text');
      return;
    case '/storage.html':
      res.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-store' }).end(storagePage(who));
      return;
    default:
      res.writeHead(404).end();
  }
};

// Private network access is allowed here: the loopback site stands in for a public one both accounts'
// documents use (a CDN, a font host, an analytics endpoint).
describe('no cookies, cache entries or storage cross from one account to another', () => {
  let stack: TestStack;
  let site: LoopbackSite;
  const [keyA, keyB] = twoTenantKeys();

  before(async () => {
    site = await startLoopbackSite(answer);
    stack = await startTestStack({ apiKeys: [keyA, keyB], env: { PODPDF_ALLOW_PRIVATE_NETWORK: 'true' } });
  });
  after(async () => {
    await stopStack(stack);
    await site.close();
  });

  const render = async (apiKey: string, html: string) => {
    const result = await quickjob(stack, apiKey, html);
    assert.equal(result.status, 200, `rendered (got ${result.status} ${result.errorCode})`);
    return result;
  };
  /** Resolves once the iframe `src` loaded (or failed). */
  const withFrame = (label: string, src: string) =>
    scriptDocument(
      label,
      `const frame = document.createElement('iframe');
       frame.src = ${JSON.stringify(src)};
       hold(new Promise((resolve) => { frame.onload = resolve; frame.onerror = resolve; }));
       document.body.append(frame);`,
    );

  it("a cookie set in account A's documents is never sent with account B's requests", async (t) => {
    await render(keyA, `<p>A sets a cookie</p><img src="${site.url('/set.png?who=A-img')}">`);
    await render(keyA, withFrame('A frame sets a cookie', site.url('/set.html?who=A-frame')));
    const control = site.requests.find((r) => r.query.get('who') === 'A-frame-self');
    t.diagnostic(
      `within A's own document the cookie was ${String(control?.headers.cookie ?? '').includes(COOKIE_VALUE) ? '' : 'not '}sent back`,
    );

    await render(keyB, `<p>B script-free</p><img src="${site.url('/probe.png?who=B-img')}">`);
    await render(
      keyB,
      scriptDocument(
        'B fetches with credentials',
        `hold(fetch(${JSON.stringify(site.url('/probe.json?who=B-fetch'))}, { credentials: 'include' })
           .then((r) => r.text(), (e) => 'failed ' + e).then((r) => report('fetch', r)));`,
      ),
    );
    await render(keyB, withFrame('B frame', site.url('/probe.html?who=B-frame')));

    const fromB = site.requests.filter((r) => (r.query.get('who') ?? '').startsWith('B-'));
    const seen = new Set(fromB.map((r) => r.query.get('who')));
    for (const who of ['B-img', 'B-fetch', 'B-frame'])
      assert.ok(seen.has(who), `B's ${who} reached the site`);
    const leaked = fromB.filter((r) => String(r.headers.cookie ?? '').includes('tenantA_session'));
    assert.deepEqual(
      leaked.map((r) => `${r.query.get('who')}: ${r.headers.cookie}`),
      [],
      "A's cookie was sent with B's requests",
    );
  });

  it("an HTTP-cached response of account A is not served to account B's document", async () => {
    await render(keyA, `<p>A caches an image</p><img src="${site.url('/cached.png')}">`);
    assert.equal(site.requestsTo('/cached.png').length, 1, 'A fetched the image');
    await render(keyB, `<p>B loads the same image</p><img src="${site.url('/cached.png')}">`);
    assert.equal(site.requestsTo('/cached.png').length, 2, "B's image came from A's cache entry");

    const fetchDoc = (label: string) =>
      scriptDocument(
        label,
        `hold(fetch(${JSON.stringify(site.url('/cached.txt'))}).then((r) => r.text(), (e) => 'failed ' + e)
           .then((r) => report('fetch', r)));`,
      );
    await render(keyA, fetchDoc('A caches a fetch'));
    assert.equal(site.requestsTo('/cached.txt').length, 1, 'A fetched the text');
    await render(keyB, fetchDoc('B fetches the same'));
    assert.equal(site.requestsTo('/cached.txt').length, 2, "B's fetch came from A's cache entry");
  });

  it("localStorage and IndexedDB written by A in a site's iframe are not readable by B", async (t) => {
    const storageDoc = (who: string) =>
      scriptDocument(
        `${who} storage`,
        `hold(new Promise((resolve) => {
           addEventListener('message', (e) => {
             report('localStorage', e.data.ls);
             report('indexedDB', e.data.idb);
             report('written', e.data.written);
             resolve();
           });
         }));
         const frame = document.createElement('iframe');
         frame.src = ${JSON.stringify(site.url(`/storage.html?who=${who}`))};
         document.body.append(frame);`,
        3_000,
      );
    const a = await render(keyA, storageDoc('A'));
    t.diagnostic(`A: ${a.text}`);
    assert.match(a.text, /localStorage: /, "A's frame reported (the probe ran)");
    const b = await render(keyB, storageDoc('B'));
    assert.match(b.text, /localStorage: /, "B's frame reported (the probe ran)");
    assert.ok(!b.text.includes(STORAGE_MARK), `B read A's storage: ${b.text}`);
  });
});
