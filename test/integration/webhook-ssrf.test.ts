import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { getJob } from '../../src/adapters/jobs-table.ts';
import { localDataKeys } from '../../src/adapters/local-data-keys.ts';
import { updateWebhookSettings } from '../../src/adapters/users-table.ts';
import { envelopeSecrets, useSecrets } from '../../src/app/secrets-port.ts';
import { useHostResolver } from '../../src/net/address-policy.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';
import { eventually } from '../helpers/webhook-receiver.ts';

// A non-local stage: webhooks must be HTTPS to public addresses. Names resolve through a stub DNS.
const DNS: Record<string, string> = {
  'hooks.example.com': '93.184.216.34',
  'rebind.example.com': '127.0.0.1',
  'internal.example.com': '10.1.2.3',
};

describe('webhook URL safety on a deployed stage', () => {
  let stack: TestStack;
  let restoreSecrets: () => void;
  before(async () => {
    // A deployed stage seals secrets with KMS; a local key stands in for it here, same envelope.
    const key = randomBytes(32);
    restoreSecrets = useSecrets(envelopeSecrets(() => localDataKeys(key)));
    useHostResolver(async (host) => {
      const address = DNS[host];
      if (!address) throw Object.assign(new Error(`ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      return [{ address, family: 4 }];
    });
    stack = await startTestStack({
      env: {
        PODPDF_STAGE: 'production',
        PODPDF_WEBHOOK_RETRY_DELAYS_S: '0,0,0',
        PODPDF_WEBHOOK_TIMEOUT_MS: '1000',
      },
    });
  });
  after(async () => {
    useHostResolver(undefined);
    restoreSecrets();
    await stack.stop();
  });

  const setWebhook = async (url: string) => {
    const res = await stack.call('PUT', '/accounts/me/webhook', { body: { url } });
    return {
      status: res.status,
      body: (await res.json()) as { error?: { code: string; details: { reason: string } } },
    };
  };

  it('refuses plain http, private, metadata, loopback and rebinding targets', async () => {
    const cases: Array<[string, RegExp]> = [
      ['http://hooks.example.com/podpdf', /must use https/],
      ['http://127.0.0.1:8080/hook', /must use https/],
      ['https://10.0.0.1/hook', /non-public address \(10\.0\.0\.1\)/],
      ['https://169.254.169.254/latest/meta-data', /non-public address \(169\.254\.169\.254\)/],
      ['https://[::1]/hook', /non-public address/],
      ['https://localhost/hook', /non-public address/],
      ['https://rebind.example.com/hook', /non-public address \(127\.0\.0\.1\)/],
      ['https://internal.example.com/hook', /non-public address \(10\.1\.2\.3\)/],
      ['https://nowhere.example.com/hook', /does not resolve/],
      ['https://user:pass@hooks.example.com/hook', /credentials/],
    ];
    for (const [url, reason] of cases) {
      const { status, body } = await setWebhook(url);
      assert.equal(status, 400, url);
      assert.equal(body.error?.code, 'WEBHOOK_URL_REFUSED', url);
      assert.match(body.error?.details.reason ?? '', reason, url);
    }
    assert.equal((await setWebhook('https://hooks.example.com/podpdf')).status, 200);
  });

  it('refuses the same targets as a per-job webhook_url', async () => {
    const res = await stack.call('POST', '/longjob', {
      body: { input_type: 'html', html: '<p>x</p>', webhook_url: 'https://169.254.169.254/' },
    });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'WEBHOOK_URL_REFUSED');
  });

  it('re-checks the address at delivery time, so a name rebound to loopback is not reached', async () => {
    // Saved while it resolved publicly; by delivery time it points at 127.0.0.1.
    await updateWebhookSettings(stack.accounts[0]?.user_id ?? '', {
      webhook_url: 'https://rebind.example.com/hook',
    });
    const res = await stack.call('POST', '/longjob', {
      body: { input_type: 'html', html: '<p>rebinding</p>' },
    });
    const submitted = (await res.json()) as { job_id: string };
    assert.equal(res.status, 202, JSON.stringify(submitted));
    const jobId = submitted.job_id;
    const row = await eventually(async () => {
      const r = await getJob(jobId);
      return r?.webhook_delivered === undefined ? undefined : r;
    }, 60_000);
    assert.equal(row.status, 'completed');
    assert.equal(row.webhook_delivered, false);
    assert.equal(row.webhook_retry_log?.length, 4);
    assert.ok(
      row.webhook_retry_log?.every((a) => /EADDRNOTALLOWED/.test(a.error ?? '')),
      JSON.stringify(row.webhook_retry_log),
    );
  });
});
