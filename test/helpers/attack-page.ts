/**
 * Building blocks of hostile test documents. A document's network attempts (a WebSocket, a worker's
 * fetch) finish after its load event, when podpdf may already have printed; the prelude lets a document
 * hold its print until its attempts settle, as any customer's document can: podpdf waits for
 * `document.fonts.ready` before printing a document that may run script, and the document can redefine
 * it. Whatever an attempt learns is written into the document with `report`, so a leak shows in the PDF.
 */

/**
 * A script for the start of `<body>`: defines `report(label, value)` (appends a paragraph) and
 * `hold(promise)` (the print waits for it, at most `maxHoldMs` in all).
 */
export const holdPrelude = (maxHoldMs = 2_000): string => `<script>
  const held = [];
  window.report = (label, value) => {
    const p = document.createElement('p');
    p.textContent = label + ': ' + value;
    document.body.append(p);
  };
  window.hold = (promise) => held.push(Promise.resolve(promise).catch((err) => report('error', err)));
  const ready = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(document.fonts), 'ready').get;
  Object.defineProperty(document.fonts, 'ready', {
    configurable: true,
    get: () =>
      Promise.race([Promise.allSettled(held), new Promise((resolve) => setTimeout(resolve, ${maxHoldMs}))]).then(
        () => ready.call(document.fonts),
      ),
  });
</script>`;

/** A document: `<p>label</p>`, the prelude, then `script` (its body, without the tag). */
export const scriptDocument = (label: string, script: string, maxHoldMs?: number): string =>
  `<!DOCTYPE html><html><body><p>${label}</p>${holdPrelude(maxHoldMs)}<script>${script}</script></body></html>`;

/** Script for a page or worker: resolves with the first message of a WebSocket, or with how it ended. */
export const webSocketProbe = (url: string): string => `new Promise((resolve) => {
  try {
    const ws = new WebSocket(${JSON.stringify(url)});
    ws.onmessage = (e) => resolve('message ' + e.data);
    ws.onerror = () => resolve('error');
    ws.onclose = () => resolve('closed');
  } catch (err) {
    resolve('threw ' + err);
  }
})`;

/** Script for a page or worker: resolves with the body a fetch read, or with how it failed. */
export const fetchProbe = (url: string, init: Record<string, unknown> = {}): string =>
  `fetch(${JSON.stringify(url)}, ${JSON.stringify(init)}).then((r) => r.text(), (err) => 'failed ' + err)`;

/**
 * Script that runs `probe` (an expression giving a promise) in a dedicated worker made from a blob:
 * URL and resolves with what the worker posted back, or how it failed.
 */
export const inDedicatedWorker = (probe: string): string => `new Promise((resolve) => {
  const source = 'Promise.resolve(' + ${JSON.stringify(probe)} + ').then((v) => postMessage(String(v)), (e) => postMessage("threw " + e))';
  try {
    const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
    worker.onmessage = (e) => resolve('worker ' + e.data);
    worker.onerror = (e) => resolve('worker error ' + (e.message || ''));
  } catch (err) {
    resolve('no worker: ' + err);
  }
})`;

/** As `inDedicatedWorker`, in a SharedWorker (resolves 'unavailable' where there is none). */
export const inSharedWorker = (probe: string): string => `new Promise((resolve) => {
  if (typeof SharedWorker === 'undefined') return resolve('unavailable');
  const source = 'onconnect = (c) => { const port = c.ports[0]; Promise.resolve(' + ${JSON.stringify(probe)} + ').then((v) => port.postMessage(String(v)), (e) => port.postMessage("threw " + e)); }';
  try {
    const worker = new SharedWorker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
    worker.port.onmessage = (e) => resolve('shared worker ' + e.data);
    worker.onerror = (e) => resolve('shared worker error ' + (e.message || ''));
    worker.port.start();
  } catch (err) {
    resolve('no shared worker: ' + err);
  }
})`;
