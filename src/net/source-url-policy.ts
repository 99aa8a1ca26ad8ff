import {
  addressesOf,
  isLocalhostName,
  isNeverReached,
  isPublicAddress,
  stripBrackets,
} from './address-policy.ts';

/**
 * Why the page at `rawUrl` may not be rendered, or undefined when it may: checked when the job is
 * submitted, for a clear answer before anything is queued. The egress proxy checks again at every
 * connection (redirects, DNS answers that change).
 */
export const sourceUrlProblem = async (
  rawUrl: string,
  allowPrivateNetwork: boolean,
): Promise<string | undefined> => {
  const host = stripBrackets(new URL(rawUrl).hostname);
  if (!allowPrivateNetwork && isLocalhostName(host)) return `host ${host} is loopback`;
  const addresses = await addressesOf(host);
  if (!addresses) return `host ${host} does not resolve`;
  const refused = addresses.find(
    (address) => isNeverReached(address) || (!allowPrivateNetwork && !isPublicAddress(address)),
  );
  return refused ? `host ${host} is not a public address (${refused})` : undefined;
};
