import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES } from '../../../src/domain/limits.ts';
import { type BridgeRoute, startApiBridge } from '../../../src/local/api-bridge.ts';

/** A route that answers with a body of the requested length, and echoes the size of what it got. */
const sizedRoute: BridgeRoute = {
  method: 'POST',
  path: '/sized/{length}',
  functionName: 'sized',
  timeoutSeconds: 5,
  handler: async (event: APIGatewayProxyEventV2) => ({
    statusCode: 200,
    headers: { 'content-type': 'text/plain', 'x-received': String(event.body?.length ?? 0) },
    body: 'x'.repeat(Number(event.pathParameters?.length ?? 0)),
  }),
};

describe('local API Gateway bridge: Lambda payload limit', () => {
  let url: string;
  let close: () => void;
  before(async () => {
    const bridge = await startApiBridge([sizedRoute], 0);
    url = bridge.url;
    close = () => bridge.server.close();
  });
  after(() => close());

  const post = (length: number, body: string) =>
    fetch(`${url}/sized/${length}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body });

  it('passes requests and responses that fit', async () => {
    const res = await post(LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES - 4096, 'hello');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-received'), '5');
    assert.equal((await res.text()).length, LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES - 4096);
  });

  it('answers 500 as the gateway does when the response is over the limit', async () => {
    const res = await post(LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES, 'hello');
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), { message: 'Internal Server Error' });
  });

  it('answers 413 for a request whose JSON escaping takes the event over the limit', async () => {
    // 1.2 M control characters: 1.2 MB as sent, 7.2 MB once escaped as \u0001 in the event.
    const res = await post(0, '\u0001'.repeat(1_200_000));
    assert.equal(res.status, 413);
    assert.deepEqual(await res.json(), { message: 'Request Entity Too Large' });
  });
});
