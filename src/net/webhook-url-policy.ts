import { isIP } from 'node:net';
import {
  addressesOf,
  isLocalhostName,
  isLoopbackAddress,
  isPublicAddress,
  stripBrackets,
} from './address-policy.ts';

/**
 * Where webhooks may go: HTTPS to hosts whose every address is public. On the `local` stage, plain
 * HTTP to loopback is allowed too, so a developer can receive webhooks on their machine.
 */
export interface WebhookUrlPolicy {
  allowLoopback: boolean;
}

export const webhookUrlPolicyFor = (stage: string): WebhookUrlPolicy => ({
  allowLoopback: stage === 'local',
});

/** Whether a connection to `address` is acceptable under `policy`. */
export const isAllowedWebhookAddress = (address: string, policy: WebhookUrlPolicy): boolean =>
  isPublicAddress(address) || (policy.allowLoopback && isLoopbackAddress(address));

/** Why `rawUrl` may not receive webhooks, or undefined when it may. Resolves the host. */
export const webhookUrlProblem = async (
  rawUrl: string,
  policy: WebhookUrlPolicy,
): Promise<string | undefined> => {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return 'not a valid URL';
  }
  if (url.username || url.password) return 'credentials in the URL are not allowed';
  const host = stripBrackets(url.hostname);
  const loopbackName = host === 'localhost' || (isIP(host) !== 0 && isLoopbackAddress(host));
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowLoopback && loopbackName)) {
    return policy.allowLoopback
      ? 'must use https (or http to localhost on the local stage)'
      : 'must use https';
  }
  if (policy.allowLoopback && loopbackName) return undefined;
  if (isLocalhostName(host)) return `host ${host} is a non-public address (loopback)`;
  const addresses = await addressesOf(host);
  if (!addresses) return `host ${host} does not resolve`;
  const refused = addresses.find((address) => !isAllowedWebhookAddress(address, policy));
  return refused ? `host ${host} resolves to a non-public address (${refused})` : undefined;
};
