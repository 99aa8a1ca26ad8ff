import type { CDPSession, Protocol } from 'puppeteer-core';
import { resolvesToPublicAddresses } from '../net/address-policy.ts';

/** One page's guard, told about each document the page prints before that document's HTML goes in. */
export interface SubresourceGuard {
  /**
   * Sets what the next document may load (private and loopback addresses or not) and forgets the
   * host verdicts of the page's earlier documents, so a name that now resolves elsewhere is looked
   * up again.
   */
  startDocument(allowPrivateNetwork: boolean): void;
}

/**
 * Keeps documents away from non-public hosts (metadata service, VPC, loopback) unless the page's
 * current document is allowed them (nothing gets through before the first one starts); any other
 * scheme that reaches the handler is refused. Uses the Fetch domain on the page's own CDP session
 * rather than puppeteer's request interception, which also turns the cache off and pairs every network
 * event: measurably slower for documents with many sub-resources. Chromium resolves names again when it connects, so a name that changes its answer in
 * between (DNS rebinding) is not covered here.
 */
export const guardSubresources = async (session: CDPSession): Promise<SubresourceGuard> => {
  let allowPrivateNetwork = false;
  let verdicts = new Map<string, Promise<boolean>>();
  const allowedHost = (hostname: string): Promise<boolean> => {
    if (allowPrivateNetwork) return Promise.resolve(true);
    let verdict = verdicts.get(hostname);
    if (!verdict) {
      verdict = resolvesToPublicAddresses(hostname);
      verdicts.set(hostname, verdict);
    }
    return verdict;
  };
  session.on('Fetch.requestPaused', (event: Protocol.Fetch.RequestPausedEvent) => {
    void (async () => {
      const url = new URL(event.request.url);
      const web = url.protocol === 'http:' || url.protocol === 'https:';
      const allowed =
        url.protocol === 'data:' || url.protocol === 'blob:' || (web && (await allowedHost(url.hostname)));
      await (allowed
        ? session.send('Fetch.continueRequest', { requestId: event.requestId })
        : session.send('Fetch.failRequest', { requestId: event.requestId, errorReason: 'BlockedByClient' }));
    })().catch(() => undefined); // the page may already be gone
  });
  // Only web requests are paused: data:/blob: need no verdict, and with web security on Chromium itself
  // refuses file: and chrome: to a page loaded from about:blank. Pausing those too cost ~4 ms per
  // render for nothing.
  await session.send('Fetch.enable', { patterns: [{ urlPattern: 'http://*' }, { urlPattern: 'https://*' }] });
  return {
    startDocument: (allowPrivate) => {
      allowPrivateNetwork = allowPrivate;
      verdicts = new Map();
    },
  };
};
