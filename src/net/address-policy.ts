import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Addresses a document (or later a webhook) must never reach from inside AWS: loopback, private,
 * carrier-grade NAT, link-local (the instance metadata service at 169.254.169.254), multicast and
 * reserved ranges, in IPv4 and IPv6.
 */
const nonPublic = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  nonPublic.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 127],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const) {
  nonPublic.addSubnet(net, prefix, 'ipv6');
}

const IPV4_MAPPED = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/** True when `ip` is a literal address outside every non-public range. */
export const isPublicAddress = (ip: string): boolean => {
  const mapped = IPV4_MAPPED.exec(ip);
  if (mapped?.[1]) return isPublicAddress(mapped[1]);
  const family = isIP(ip);
  if (family === 0) return false;
  return !nonPublic.check(ip, family === 4 ? 'ipv4' : 'ipv6');
};

/** True for 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export const isLoopbackAddress = (ip: string): boolean => {
  const mapped = IPV4_MAPPED.exec(ip);
  const address = mapped?.[1] ?? ip;
  return isIP(address) === 4 ? address.startsWith('127.') : address === '::1';
};

export type HostResolver = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

const systemResolver: HostResolver = (hostname) => lookup(hostname, { all: true, verbatim: true });
let resolver: HostResolver = systemResolver;

/** Every address `hostname` resolves to (the system resolver unless a test swapped it). */
export const resolveHost = (hostname: string): Promise<Array<{ address: string; family: number }>> =>
  resolver(hostname);

/** Swaps the resolver, so tests can make a name resolve to a private address; undefined restores it. */
export const useHostResolver = (custom: HostResolver | undefined): void => {
  resolver = custom ?? systemResolver;
};

export const stripBrackets = (host: string): string => host.replace(/^\[(.*)\]$/, '$1');

/**
 * Resolves `hostname` and answers whether every address it resolves to is public. A name that does
 * not resolve is refused too: there is nothing safe to connect to.
 */
export const resolvesToPublicAddresses = async (hostname: string): Promise<boolean> => {
  const host = stripBrackets(hostname);
  if (isIP(host)) return isPublicAddress(host);
  if (host === 'localhost' || host.endsWith('.localhost')) return false;
  try {
    const addresses = await resolveHost(host);
    return addresses.length > 0 && addresses.every((a) => isPublicAddress(a.address));
  } catch {
    return false;
  }
};
