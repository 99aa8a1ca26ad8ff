import type { HTTPRequest, Page } from 'puppeteer-core';
import type { UrlSource } from '../domain/url-source.ts';
import { EGRESS_REFUSED_HEADER } from '../net/egress-proxy.ts';

/** The page at the URL answered with an HTTP error status the request did not accept. */
export class SourceHttpError extends Error {
  override name = 'SourceHttpError';
  readonly status: number;
  readonly url: string;
  constructor(status: number, url: string) {
    super(`HTTP ${status} from ${url}`);
    this.status = status;
    this.url = url;
  }
}

/** The page at the URL (or a redirect on the way) could not be loaded: refused, unknown host, refused connection. */
export class SourceUnreachableError extends Error {
  override name = 'SourceUnreachableError';
  readonly url: string;
  readonly reason: string;
  constructor(url: string, reason: string) {
    super(`${url}: ${reason}`);
    this.url = url;
    this.reason = reason;
  }
}

const REFUSED = "refused by podpdf's network rules: not a public address";

/**
 * Adds `headers` to every request for `origin` (the first request, its same-origin redirects and the
 * page's own loads from there), and to no other: a third party the page loads from never sees them.
 */
const addHeadersForOrigin = async (page: Page, origin: string, headers: Record<string, string>) => {
  const session = await page.createCDPSession();
  const names = new Set(Object.keys(headers).map((name) => name.toLowerCase()));
  session.on(
    'Fetch.requestPaused',
    (event: { requestId: string; request: { url: string; headers: Record<string, string> } }) => {
      const kept = Object.entries(event.request.headers).filter(([name]) => !names.has(name.toLowerCase()));
      const all = [...kept, ...Object.entries(headers)].map(([name, value]) => ({ name, value }));
      const sameOrigin = new URL(event.request.url).origin === origin;
      session
        .send('Fetch.continueRequest', {
          requestId: event.requestId,
          ...(sameOrigin ? { headers: all } : {}),
        })
        .catch(() => undefined); // the page went away
    },
  );
  await session.send('Fetch.enable', { patterns: [{ urlPattern: `${origin}/*`, requestStage: 'Request' }] });
};

/**
 * Loads the page at `source.url` into `page` until its `load` event, with the request's user agent,
 * cookies (for the URL's host) and headers (for the URL's origin). Every hop goes through the page's
 * egress proxy, which applies the address policy to each.
 */
export const loadSource = async (page: Page, source: UrlSource): Promise<void> => {
  const origin = new URL(source.url).origin;
  if (source.user_agent) await page.setUserAgent({ userAgent: source.user_agent });
  if (source.cookies?.length)
    await page.browserContext().setCookie(
      ...source.cookies.map((cookie) => ({
        name: cookie.name,
        value: cookie.value,
        domain: new URL(source.url).hostname,
        path: '/',
        secure: source.url.startsWith('https:'),
      })),
    );
  if (source.http_headers && Object.keys(source.http_headers).length > 0)
    await addHeadersForOrigin(page, origin, source.http_headers);

  // The main document's hops: the one that failed names the error, not the URL first asked for.
  let failedHop: { url: string; reason: string } | undefined;
  const onFailed = (request: HTTPRequest) => {
    if (request.isNavigationRequest() && request.frame() === page.mainFrame())
      failedHop = { url: request.url(), reason: request.failure()?.errorText ?? 'failed' };
  };
  page.on('requestfailed', onFailed);
  let response: Awaited<ReturnType<Page['goto']>>;
  try {
    response = await page.goto(source.url, { waitUntil: 'load', timeout: 0 });
  } catch (err) {
    const reason = failedHop?.reason ?? (err instanceof Error ? err.message : String(err));
    const tunnel = /ERR_TUNNEL_CONNECTION_FAILED/.test(reason);
    throw new SourceUnreachableError(
      failedHop?.url ?? source.url,
      tunnel ? `${reason} (${REFUSED}, or the host could not be reached)` : reason,
    );
  } finally {
    page.off('requestfailed', onFailed);
  }
  if (!response) return;
  if (response.headers()[EGRESS_REFUSED_HEADER]) throw new SourceUnreachableError(response.url(), REFUSED);
  const status = response.status();
  if (status >= 400 && !source.accept_statuses?.includes(status))
    throw new SourceHttpError(status, response.url());
};
