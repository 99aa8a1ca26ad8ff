import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useHostResolver } from '../../../src/net/address-policy.ts';
import {
  isAllowedWebhookAddress,
  webhookUrlPolicyFor,
  webhookUrlProblem,
} from '../../../src/net/webhook-url-policy.ts';

describe('webhook URL policy', () => {
  it('lets the local stage post over http to loopback only', async () => {
    const local = webhookUrlPolicyFor('local');
    assert.equal(await webhookUrlProblem('http://127.0.0.1:4000/hook', local), undefined);
    assert.equal(await webhookUrlProblem('http://localhost:4000/hook', local), undefined);
    assert.equal(await webhookUrlProblem('https://[::1]:4000/hook', local), undefined);
    assert.match((await webhookUrlProblem('http://10.0.0.1/hook', local)) ?? '', /https/);
    assert.match((await webhookUrlProblem('https://10.0.0.1/hook', local)) ?? '', /non-public/);
    assert.match((await webhookUrlProblem('https://169.254.169.254/', local)) ?? '', /non-public/);
  });

  it('requires https to a public address elsewhere', async () => {
    const prod = webhookUrlPolicyFor('prod');
    assert.match((await webhookUrlProblem('http://127.0.0.1/hook', prod)) ?? '', /must use https$/);
    assert.match((await webhookUrlProblem('https://127.0.0.1/hook', prod)) ?? '', /non-public/);
    assert.equal(await webhookUrlProblem('https://93.184.216.34/hook', prod), undefined);
    assert.match((await webhookUrlProblem('not a url', prod)) ?? '', /not a valid URL/);
  });

  it('refuses IPv6 forms that lead to IPv4 or private networks, however they are spelled', async () => {
    const prod = webhookUrlPolicyFor('prod');
    for (const host of [
      '[::7f00:1]',
      '[::127.0.0.1]',
      '[::8.8.8.8]',
      '[::ffff:0:a9fe:a9fe]',
      '[::ffff:0:169.254.169.254]',
      '[::ffff:a9fe:a9fe]',
      '[64:ff9b::a9fe:a9fe]',
      '[64:ff9b:1::a00:1]',
      '[2002:a9fe:a9fe::]',
      '[2001:0:4136:e378:8000:63bf:3fff:fdd2]',
      '[fec0::1]',
      '[100::1]',
      '[2001:db8::1]',
      '[3fff::1]',
      '[2001:10::1]',
      '[2001:20::1]',
      '[2001:2::1]',
      '192.0.2.1',
      '198.51.100.1',
      '203.0.113.1',
      '255.255.255.255',
      '0251.0376.0251.0376',
    ]) {
      assert.match((await webhookUrlProblem(`https://${host}/hook`, prod)) ?? '', /non-public/, host);
    }
    assert.equal(await webhookUrlProblem('https://[2606:4700:4700::1111]/hook', prod), undefined);
    assert.equal(await webhookUrlProblem('https://8.8.8.8/hook', prod), undefined);
  });

  it('checks every address a name resolves to by the same rules', async () => {
    const prod = webhookUrlPolicyFor('prod');
    useHostResolver(async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '::ffff:0:a9fe:a9fe', family: 6 },
    ]);
    try {
      assert.match(
        (await webhookUrlProblem('https://hooks.example.com/', prod)) ?? '',
        /non-public address \(::ffff:0:a9fe:a9fe\)/,
      );
    } finally {
      useHostResolver(undefined);
    }
    assert.equal(isAllowedWebhookAddress('::7f00:1', prod), false);
    assert.equal(isAllowedWebhookAddress('2606:4700:4700::1111', prod), true);
  });

  it('lets the local stage reach loopback only as 127/8 or ::1, not through IPv4-compatible forms', async () => {
    const local = webhookUrlPolicyFor('local');
    assert.equal(await webhookUrlProblem('http://[::ffff:127.0.0.1]:4000/hook', local), undefined);
    assert.equal(isAllowedWebhookAddress('::7f00:1', local), false);
    assert.match((await webhookUrlProblem('http://[::127.0.0.1]:4000/hook', local)) ?? '', /https/);
    assert.match((await webhookUrlProblem('https://[::127.0.0.1]:4000/hook', local)) ?? '', /non-public/);
    assert.match(
      (await webhookUrlProblem('https://LOCALHOST./hook', webhookUrlPolicyFor('prod'))) ?? '',
      /loopback/,
    );
  });
});
