import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPublicAddress, resolvesToPublicAddresses } from '../../../src/net/address-policy.ts';

describe('address policy', () => {
  it('refuses loopback, private, link-local, metadata and reserved addresses', () => {
    for (const ip of [
      '127.0.0.1',
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '::1',
      '::',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:169.254.169.254',
    ]) {
      assert.equal(isPublicAddress(ip), false, ip);
    }
  });

  it('accepts public addresses and refuses non-addresses', () => {
    for (const ip of ['1.1.1.1', '93.184.216.34', '2606:4700:4700::1111', '::ffff:8.8.8.8']) {
      assert.equal(isPublicAddress(ip), true, ip);
    }
    assert.equal(isPublicAddress('example.com'), false);
  });

  it('refuses names that are or resolve to loopback', async () => {
    assert.equal(await resolvesToPublicAddresses('localhost'), false);
    assert.equal(await resolvesToPublicAddresses('api.localhost'), false);
    assert.equal(await resolvesToPublicAddresses('[::1]'), false);
    assert.equal(await resolvesToPublicAddresses('127.0.0.1'), false);
    assert.equal(await resolvesToPublicAddresses('8.8.8.8'), true);
  });
});
