import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { PodpdfError } from '../../../src/domain/errors.ts';
import { header, readJsonBody } from '../../../src/http/request.ts';

const event = (headers: Record<string, string>, body?: string, isBase64Encoded = false) =>
  ({ headers, body, isBase64Encoded }) as unknown as APIGatewayProxyEventV2;

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof PodpdfError);
    return err.code;
  }
  return 'no error';
};

describe('readJsonBody', () => {
  it('parses JSON bodies, plain or base64', () => {
    assert.deepEqual(readJsonBody(event({ 'content-type': 'application/json' }, '{"a":1}'), 100), { a: 1 });
    const b64 = Buffer.from('{"a":2}').toString('base64');
    assert.deepEqual(
      readJsonBody(event({ 'content-type': 'application/json; charset=utf-8' }, b64, true), 100),
      {
        a: 2,
      },
    );
  });

  it('refuses other content types with 415', () => {
    assert.equal(
      codeOf(() => readJsonBody(event({ 'content-type': 'text/html' }, '{}'), 100)),
      'UNSUPPORTED_MEDIA_TYPE',
    );
    assert.equal(
      codeOf(() => readJsonBody(event({}, '{}'), 100)),
      'UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('refuses bodies over the limit with 413, counting bytes not characters', () => {
    assert.equal(
      codeOf(() => readJsonBody(event({ 'content-type': 'application/json' }, '"ééé"'), 7)),
      'PAYLOAD_TOO_LARGE',
    );
  });

  it('refuses empty and malformed JSON with 400', () => {
    assert.equal(
      codeOf(() => readJsonBody(event({ 'content-type': 'application/json' }, ''), 100)),
      'INVALID_JSON',
    );
    assert.equal(
      codeOf(() => readJsonBody(event({ 'content-type': 'application/json' }, '{"a":'), 100)),
      'INVALID_JSON',
    );
  });

  it('finds headers regardless of case', () => {
    assert.equal(header(event({ 'X-Api-Key': 'k' }), 'x-api-key'), 'k');
  });
});
