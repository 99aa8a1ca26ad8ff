import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { describe, it } from 'node:test';
import {
  isLoopbackAddress,
  isNeverReached,
  isPublicAddress,
  resolvesToPublicAddresses,
  stripBrackets,
} from '../../../src/net/address-policy.ts';

/** Each non-public range with addresses inside it: its first, one in the middle, its last. */
const NON_PUBLIC: Array<[range: string, addresses: string[]]> = [
  ['0.0.0.0/8 this network', ['0.0.0.0', '0.1.2.3', '0.255.255.255']],
  ['10.0.0.0/8 private', ['10.0.0.0', '10.0.0.1', '10.255.255.255']],
  ['100.64.0.0/10 carrier-grade NAT', ['100.64.0.0', '100.64.0.1', '100.127.255.255']],
  ['127.0.0.0/8 loopback', ['127.0.0.1', '127.255.255.255']],
  ['169.254.0.0/16 link-local, metadata', ['169.254.0.0', '169.254.169.254', '169.254.255.255']],
  ['172.16.0.0/12 private', ['172.16.0.0', '172.16.5.4', '172.31.255.255']],
  ['192.0.0.0/24 protocol assignments', ['192.0.0.0', '192.0.0.8', '192.0.0.255']],
  ['192.0.2.0/24 TEST-NET-1', ['192.0.2.0', '192.0.2.1', '192.0.2.255']],
  ['192.88.99.0/24 6to4 relay anycast', ['192.88.99.0', '192.88.99.1', '192.88.99.255']],
  ['192.168.0.0/16 private', ['192.168.0.0', '192.168.1.1', '192.168.255.255']],
  ['198.18.0.0/15 benchmarking', ['198.18.0.0', '198.19.255.255']],
  ['198.51.100.0/24 TEST-NET-2', ['198.51.100.0', '198.51.100.7', '198.51.100.255']],
  ['203.0.113.0/24 TEST-NET-3', ['203.0.113.0', '203.0.113.9', '203.0.113.255']],
  ['224.0.0.0/4 multicast', ['224.0.0.0', '224.0.0.1', '239.255.255.255']],
  ['240.0.0.0/4 reserved', ['240.0.0.0', '250.1.2.3', '255.255.255.254']],
  ['255.255.255.255 broadcast', ['255.255.255.255']],
  ['::/128 unspecified', ['::', '0:0:0:0:0:0:0:0']],
  ['::1/128 loopback', ['::1', '0:0:0:0:0:0:0:1', '0000::0001']],
  [
    '::/96 IPv4-compatible',
    ['::127.0.0.1', '::7f00:1', '0:0:0:0:0:0:127.0.0.1', '::8.8.8.8', '::808:808', '::ffff:ffff'],
  ],
  ['::ffff:0:0/96 IPv4-mapped, private IPv4', ['::ffff:127.0.0.1', '::FFFF:7F00:1', '::ffff:a9fe:a9fe']],
  [
    '::ffff:0:0:0/96 IPv4-translated',
    ['::ffff:0:a9fe:a9fe', '::ffff:0:169.254.169.254', '::ffff:0:808:808', '0:0:0:0:ffff:0:7f00:1'],
  ],
  ['64:ff9b::/96 NAT64', ['64:ff9b::', '64:ff9b::7f00:1', '64:ff9b::8.8.8.8', '64:ff9b::ffff:ffff']],
  [
    '64:ff9b:1::/48 NAT64 local use',
    ['64:ff9b:1::', '64:ff9b:1::a00:1', '64:ff9b:1:ffff:ffff:ffff:ffff:ffff'],
  ],
  ['100::/64 discard', ['100::', '100::1', '100::ffff:ffff:ffff:ffff']],
  [
    '2001::/32 Teredo',
    ['2001::', '2001:0:4136:e378:8000:63bf:3fff:fdd2', '2001:0:ffff:ffff:ffff:ffff:ffff:ffff'],
  ],
  ['2001:2::/48 benchmarking', ['2001:2::', '2001:2::1', '2001:2:0:ffff:ffff:ffff:ffff:ffff']],
  ['2001:10::/28 ORCHID', ['2001:10::', '2001:10::1', '2001:1f:ffff:ffff:ffff:ffff:ffff:ffff']],
  ['2001:20::/28 ORCHIDv2', ['2001:20::', '2001:20::1', '2001:2f:ffff:ffff:ffff:ffff:ffff:ffff']],
  ['2001:db8::/32 documentation', ['2001:db8::', '2001:db8::1', '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff']],
  [
    '2002::/16 6to4',
    ['2002::', '2002:7f00:1::', '2002:a9fe:a9fe::1', '2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
  ],
  ['3fff::/20 documentation', ['3fff::', '3fff::1', '3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff']],
  ['5f00::/16 SRv6 SIDs', ['5f00::', '5f00::1']],
  ['fc00::/7 unique local', ['fc00::', 'fd00::1', 'fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff']],
  ['fe80::/10 link-local', ['fe80::', 'fe80::1', 'febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff']],
  ['fec0::/10 site-local', ['fec0::', 'fec0::1', 'feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff']],
  ['ff00::/8 multicast', ['ff00::', 'ff02::1', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff']],
  ['zoned addresses', ['fe80::1%eth0', '2606:4700:4700::1111%1']],
];

/** Public addresses, several next to a refused range, that must stay allowed. */
const PUBLIC = [
  '1.1.1.1',
  '8.8.8.8',
  '93.184.216.34',
  '9.255.255.255',
  '11.0.0.0',
  '100.63.255.255',
  '100.128.0.0',
  '172.15.255.255',
  '172.32.0.0',
  '192.0.1.255',
  '192.0.3.0',
  '198.17.255.255',
  '198.20.0.0',
  '198.51.99.255',
  '203.0.112.255',
  '223.255.255.255',
  '::ffff:8.8.8.8',
  '::ffff:808:808',
  '2606:4700:4700::1111',
  '2606:4700:4700:0:0:0:0:1111',
  '2001:4860:4860::8888',
  '2001:200::1',
  '2001:1::1',
  '2001:3::1',
  '2003::1',
  '2a00:1450:4001:80b::200e',
];

describe('address policy', () => {
  for (const [range, addresses] of NON_PUBLIC) {
    it(`refuses ${range}`, () => {
      for (const ip of addresses) assert.equal(isPublicAddress(ip), false, ip);
    });
  }

  it('accepts public addresses, in any spelling, and refuses non-addresses', () => {
    for (const ip of PUBLIC) assert.equal(isPublicAddress(ip), true, ip);
    for (const text of ['example.com', '', '127.1', '0x7f000001', '1.2.3.04']) {
      assert.equal(isPublicAddress(text), false, text);
    }
  });

  it('judges the hostname the URL parser produces, however the address was written', async () => {
    const refused = [
      'http://[::127.0.0.1]/',
      'http://[0:0:0:0:0:0:127.0.0.1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::ffff:0:169.254.169.254]/',
      'http://[64:ff9b::10.0.0.1]/',
      'http://[2002:7f00:1::]/',
      'http://127.1/',
      'http://0x7f.1/',
      'http://2130706433/',
      'http://0251.0376.0251.0376/',
      'http://127.0.0.1./',
      'http://LOCALHOST./',
      'http://api.localhost./',
    ];
    for (const url of refused) {
      const { hostname } = new URL(url);
      if (isIP(stripBrackets(hostname))) assert.equal(isPublicAddress(stripBrackets(hostname)), false, url);
      assert.equal(await resolvesToPublicAddresses(hostname), false, url);
    }
    for (const url of ['http://[2606:4700:4700:0::1111]/', 'http://134744072/', 'http://[::ffff:8.8.8.8]/']) {
      assert.equal(await resolvesToPublicAddresses(new URL(url).hostname), true, url);
    }
  });

  it('refuses names that are or resolve to loopback', async () => {
    assert.equal(await resolvesToPublicAddresses('localhost'), false);
    assert.equal(await resolvesToPublicAddresses('api.localhost'), false);
    assert.equal(await resolvesToPublicAddresses('[::1]'), false);
    assert.equal(await resolvesToPublicAddresses('127.0.0.1'), false);
    assert.equal(await resolvesToPublicAddresses('8.8.8.8'), true);
  });

  it('counts only 127/8 and ::1 as loopback, in any spelling', () => {
    for (const ip of ['127.0.0.1', '127.9.9.9', '::1', '0:0::1', '::ffff:127.0.0.1', '::ffff:7f00:1']) {
      assert.equal(isLoopbackAddress(ip), true, ip);
    }
    for (const ip of ['::127.0.0.1', '::7f00:1', '::ffff:0:7f00:1', '64:ff9b::7f00:1', '::', '10.0.0.1']) {
      assert.equal(isLoopbackAddress(ip), false, ip);
    }
  });
});

describe('addresses never reached', () => {
  it('are link-local and the metadata services, in any spelling', () => {
    for (const ip of ['169.254.169.254', '169.254.0.1', 'fe80::1', '::ffff:169.254.169.254', 'fd00:ec2::254'])
      assert.equal(isNeverReached(ip), true, ip);
    for (const ip of ['127.0.0.1', '10.0.0.1', '93.184.216.34', 'fd00:ec2::253', 'not an ip'])
      assert.equal(isNeverReached(ip), false, ip);
  });
});
