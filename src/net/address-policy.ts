import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/** An address as a number: 32 bits for IPv4, 128 for IPv6. */
interface Address {
  family: 4 | 6;
  value: bigint;
}

const ipv4Value = (dotted: string): bigint =>
  dotted.split('.').reduce((value, octet) => (value << 8n) | BigInt(Number(octet)), 0n);

/**
 * Every spelling `net.isIP` accepts, as one number: `::127.0.0.1`, `::7f00:1` and
 * `0:0:0:0:0:0:7f00:1` are the same address and must get the same verdict. A zone index
 * (`fe80::1%eth0`) scopes the address to a local link, so it is no address to judge: undefined.
 */
const parseAddress = (ip: string): Address | undefined => {
  const family = isIP(ip);
  if (family === 4) return { family: 4, value: ipv4Value(ip) };
  if (family !== 6 || ip.includes('%')) return undefined;
  let text = ip.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (dotted) {
    const v4 = ipv4Value(dotted);
    text = `${text.slice(0, -dotted.length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  // `::` stands for as many zero groups as the address is short of eight.
  const [head, tail] = text.split('::').map((part) => (part ? part.split(':') : []));
  const words = tail
    ? [...(head ?? []), ...Array<string>(8 - (head?.length ?? 0) - tail.length).fill('0'), ...tail]
    : (head ?? []);
  return { family: 6, value: words.reduce((value, word) => (value << 16n) | BigInt(`0x${word}`), 0n) };
};

interface Subnet {
  family: 4 | 6;
  shift: bigint;
  network: bigint;
}

/** `10.0.0.0/8` → a subnet; the table below is written in CIDR so it reads like the registries. */
const subnet = (cidr: string): Subnet => {
  const [network = '', prefix = ''] = cidr.split('/');
  const base = parseAddress(network);
  if (!base) throw new Error(`bad subnet ${cidr}`);
  const shift = BigInt((base.family === 4 ? 32 : 128) - Number(prefix));
  return { family: base.family, shift, network: base.value >> shift };
};

const contains = (net: Subnet, address: Address): boolean =>
  address.family === net.family && address.value >> net.shift === net.network;

/**
 * IPv4 addresses a document or webhook must never reach from inside AWS: this network, private,
 * carrier-grade NAT, loopback, link-local (the instance metadata service at 169.254.169.254), IETF
 * protocol assignments, documentation, the deprecated 6to4 relay anycast, benchmarking, multicast,
 * reserved and broadcast.
 */
const NON_PUBLIC_V4: readonly Subnet[] = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.88.99.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4', // includes 255.255.255.255
].map(subnet);

/** IPv4-mapped IPv6 (`::ffff:a.b.c.d`): the IPv4 address itself, judged as IPv4. */
const IPV4_MAPPED = subnet('::ffff:0:0/96');

/**
 * Only global unicast is public IPv6. That rules out, among others, `::/96` (unspecified, loopback,
 * IPv4-compatible), `::ffff:0:0:0/96` (IPv4-translated), `64:ff9b::/96` and `64:ff9b:1::/48` (NAT64),
 * `100::/64` (discard), `5f00::/16` (SRv6), `fc00::/7` (unique local), `fe80::/10` (link-local),
 * `fec0::/10` (site-local) and `ff00::/8` (multicast).
 */
const GLOBAL_UNICAST = subnet('2000::/3');

/**
 * Inside global unicast: tunnels that lead anywhere, IPv4 included (Teredo, 6to4), benchmarking,
 * ORCHID and documentation.
 */
const NON_PUBLIC_V6: readonly Subnet[] = [
  '2001::/32',
  '2001:2::/48',
  '2001:10::/28',
  '2001:20::/28',
  '2001:db8::/32',
  '2002::/16',
  '3fff::/20',
].map(subnet);

const isPublic = (address: Address): boolean => {
  if (address.family === 4) return !NON_PUBLIC_V4.some((subnet) => contains(subnet, address));
  if (contains(IPV4_MAPPED, address)) return isPublic({ family: 4, value: address.value & 0xffffffffn });
  return contains(GLOBAL_UNICAST, address) && !NON_PUBLIC_V6.some((subnet) => contains(subnet, address));
};

/** True when `ip` is a literal address, in any spelling, outside every non-public range. */
export const isPublicAddress = (ip: string): boolean => {
  const address = parseAddress(ip);
  return address !== undefined && isPublic(address);
};

const IPV4_LOOPBACK = subnet('127.0.0.0/8');

/** Link-local (the instance metadata service lives there) and AWS's IPv6 metadata address. */
const NEVER_REACHED: readonly Subnet[] = ['169.254.0.0/16', 'fe80::/10', 'fd00:ec2::254/128'].map(subnet);

/**
 * True for addresses no load may reach even where private networks are allowed (a local stack): the
 * cloud metadata service hands out credentials, and no document needs link-local addresses.
 */
export const isNeverReached = (ip: string): boolean => {
  const address = parseAddress(ip);
  if (!address) return false;
  const judged = contains(IPV4_MAPPED, address) ? { family: 4, value: address.value & 0xffffffffn } : address;
  return NEVER_REACHED.some((net) => contains(net, judged as Address));
};

/** True for 127.0.0.0/8, ::1 and 127.0.0.0/8 mapped into IPv6, however they are spelled. */
export const isLoopbackAddress = (ip: string): boolean => {
  const address = parseAddress(ip);
  if (!address) return false;
  if (address.family === 4 || contains(IPV4_MAPPED, address)) {
    return contains(IPV4_LOOPBACK, { family: 4, value: address.value & 0xffffffffn });
  }
  return address.value === 1n;
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

/** `localhost`, `*.localhost`, in any case and with or without the root's trailing dot. */
export const isLocalhostName = (host: string): boolean => {
  const name = host.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
};

/**
 * Resolves `hostname` and answers whether every address it resolves to is public. A name that does
 * not resolve is refused too: there is nothing safe to connect to.
 */
export const resolvesToPublicAddresses = async (hostname: string): Promise<boolean> => {
  const host = stripBrackets(hostname);
  if (isIP(host)) return isPublicAddress(host);
  if (isLocalhostName(host)) return false;
  try {
    const addresses = await resolveHost(host);
    return addresses.length > 0 && addresses.every((a) => isPublicAddress(a.address));
  } catch {
    return false;
  }
};

/** Every address `host` stands for (itself when it is one); undefined when it does not resolve. */
export const addressesOf = async (host: string): Promise<string[] | undefined> => {
  if (isIP(host)) return [host];
  try {
    const addresses = await resolveHost(host);
    return addresses.length > 0 ? addresses.map((a) => a.address) : undefined;
  } catch {
    return undefined;
  }
};
