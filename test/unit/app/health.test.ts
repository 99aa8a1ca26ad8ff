import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import './fakes.ts';

const { usePorts } = await import('../../../src/app/ports.ts');
const { useRenderer } = await import('../../../src/app/render-port.ts');
const { health } = await import('../../../src/app/health.ts');
const { PODPDF_VERSION } = await import('../../../src/version.ts');

describe('health', () => {
  it('names the version package.json has', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    assert.equal(PODPDF_VERSION, pkg.version);
  });

  it('is degraded when one dependency fails, and says which, without its message', async () => {
    const restore = usePorts({
      accounts: { findAccountByKeyHash: async () => undefined },
      blobs: { probeBucket: async () => undefined },
      queue: {
        queueDepth: async () => {
          throw new Error('connect ECONNREFUSED 10.0.0.1:443 secret detail');
        },
      },
    });
    const restoreRenderer = useRenderer(
      async () => {
        throw new Error('unused');
      },
      async () => 'HeadlessChrome/153',
    );
    try {
      const answer = await health(true);
      assert.equal(answer.status, 'degraded');
      assert.equal(answer.checks?.sqs.ok, false);
      assert.equal(answer.checks?.sqs.error, 'Error');
      assert.doesNotMatch(JSON.stringify(answer), /secret detail/);
      assert.equal(answer.checks?.dynamodb.ok, true);
      assert.equal(answer.checks?.renderer.ok, true);
    } finally {
      restore();
      restoreRenderer();
    }
  });
});
