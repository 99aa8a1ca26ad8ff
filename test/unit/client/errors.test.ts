import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient, PodpdfApiError, parseRetryAfter } from '../../../src/client/index.ts';

const answering = (response: Response): typeof fetch => (async () => response) as typeof fetch;

describe('Client: errors', () => {
  it('carries code, details, request id and Retry-After of a 429', async () => {
    const client = createClient({
      baseUrl: 'http://podpdf.test',
      apiKey: 'k',
      fetch: answering(
        Response.json(
          { error: { code: 'RATE_LIMITED', message: 'Too many requests.', details: { retry_after_s: 2 } } },
          { status: 429, headers: { 'retry-after': '2', 'x-request-id': 'req-1' } },
        ),
      ),
    });
    await assert.rejects(client.getJob('x'), (error: unknown) => {
      assert.ok(error instanceof PodpdfApiError);
      assert.deepEqual(
        [error.code, error.status, error.message, error.details, error.requestId, error.retryAfter],
        ['RATE_LIMITED', 429, 'Too many requests.', { retry_after_s: 2 }, 'req-1', 2],
      );
      return true;
    });
  });

  it("names a gateway answer by its status, with the gateway's message", async () => {
    const client = createClient({
      baseUrl: 'http://podpdf.test',
      apiKey: 'k',
      fetch: answering(Response.json({ message: 'Not Found' }, { status: 404 })),
    });
    await assert.rejects(client.getAccount(), { code: 'HTTP_404', message: 'Not Found', requestId: null });
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    assert.equal(parseRetryAfter('7'), 7);
    assert.equal(parseRetryAfter(new Date(61_000).toUTCString(), 0), 61);
    assert.equal(parseRetryAfter(null), null);
    assert.equal(parseRetryAfter('soon'), null);
  });

  it('needs a base URL and a key', () => {
    assert.throws(() => createClient({ baseUrl: '', apiKey: 'k' }), TypeError);
    assert.throws(() => createClient({ baseUrl: 'http://x', apiKey: '' }), TypeError);
  });
});
