import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { webhookUrlPolicyFor, webhookUrlProblem } from '../../../src/net/webhook-url-policy.ts';

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
});
