import type { LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, request } from 'undici';
import { resolveHost, stripBrackets } from '../net/address-policy.ts';
import { isAllowedWebhookAddress, type WebhookUrlPolicy } from '../net/webhook-url-policy.ts';

export interface WebhookResponse {
  statusCode?: number;
  /** The answer's `Retry-After` header, as sent. */
  retryAfter?: string;
  error?: string;
  durationMs: number;
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * Resolves at connect time and refuses non-public answers: the check runs on the very addresses the
 * socket connects to, so a name that was public when the URL was saved and is rebound to a private
 * address afterwards (DNS rebinding) is still refused.
 */
const guardedLookup =
  (policy: WebhookUrlPolicy) =>
  (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    resolveHost(hostname).then(
      (addresses) => {
        const refused = addresses.find((a) => !isAllowedWebhookAddress(a.address, policy));
        const first = addresses[0];
        if (refused || !first) {
          const err: NodeJS.ErrnoException = new Error(
            refused ? `refused non-public address ${refused.address}` : `${hostname} does not resolve`,
          );
          err.code = 'EADDRNOTALLOWED';
          callback(err, '');
        } else if (options.all) {
          callback(null, addresses as LookupAddress[]);
        } else {
          callback(null, first.address, first.family);
        }
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };

const agents = new Map<boolean, Agent>();

const agentFor = (policy: WebhookUrlPolicy): Agent => {
  let agent = agents.get(policy.allowLoopback);
  if (!agent) {
    agent = new Agent({ connect: { lookup: guardedLookup(policy) }, keepAliveTimeout: 4_000 });
    agents.set(policy.allowLoopback, agent);
  }
  return agent;
};

const describeError = (err: unknown): string => {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const code = (err as { code?: string }).code ?? cause?.code;
  const message = err instanceof Error ? err.message : String(err);
  if ((err as { name?: string }).name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT')
    return 'timeout';
  return code ? `${code}: ${cause?.message ?? message}` : message;
};

/**
 * POSTs one webhook attempt. Never throws: the outcome is a status code or an error description,
 * with the time it took. Redirects are not followed (a 3xx is a failed attempt).
 */
export const postWebhook = async (
  url: string,
  body: string,
  headers: Record<string, string>,
  options: { timeoutMs: number; policy: WebhookUrlPolicy },
): Promise<WebhookResponse> => {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const host = stripBrackets(new URL(url).hostname);
  // A literal IP never goes through lookup, so it is checked here.
  if (isIP(host) && !isAllowedWebhookAddress(host, options.policy)) {
    return { error: `EADDRNOTALLOWED: refused non-public address ${host}`, durationMs: elapsed() };
  }
  try {
    const response = await request(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'user-agent': 'podpdf-webhooks/1', ...headers },
      dispatcher: agentFor(options.policy),
      signal: AbortSignal.timeout(options.timeoutMs),
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    await response.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
    const retryAfter = response.headers['retry-after'];
    return {
      statusCode: response.statusCode,
      ...(typeof retryAfter === 'string' ? { retryAfter } : {}),
      durationMs: elapsed(),
    };
  } catch (err) {
    return { error: describeError(err), durationMs: elapsed() };
  }
};
