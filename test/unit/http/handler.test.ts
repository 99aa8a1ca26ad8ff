import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { errors } from '../../../src/domain/errors.ts';
import { httpHandler } from '../../../src/http/handler.ts';
import { noteAccount } from '../../../src/http/request-log.ts';
import { logged } from '../../helpers/log-lines.ts';

const event = (routeKey: string) =>
  ({ routeKey, requestContext: { requestId: `req-${routeKey}` } }) as unknown as APIGatewayProxyEventV2;
const context = { awsRequestId: 'lambda-1' } as Context;

describe('httpHandler', () => {
  it('logs one line per request: route, status, duration, ids, account, job, cold start, error code', async () => {
    const ok = httpHandler(async (e, _c, headers) => {
      noteAccount(e, 'acct-a');
      headers['x-job-id'] = 'job-1';
      return { statusCode: 200, headers: {}, body: '' };
    });
    const refused = httpHandler(async () => {
      throw errors.notFound('Job');
    });
    const lines = await logged(async () => {
      await ok(event('POST /quickjob'), context);
      await refused(event('GET /jobs/{job_id}'), context);
    });
    const requests = lines.filter((line) => line.message === 'request');
    assert.equal(requests.length, 2);
    assert.deepEqual(
      { ...requests[0], time: undefined, duration_ms: undefined },
      {
        level: 'info',
        time: undefined,
        message: 'request',
        route: 'POST /quickjob',
        status: 200,
        duration_ms: undefined,
        request_id: 'req-POST /quickjob',
        lambda_request_id: 'lambda-1',
        cold_start: true,
        account_id: 'acct-a',
        job_id: 'job-1',
      },
    );
    assert.equal(typeof requests[0]?.duration_ms, 'number');
    assert.equal(requests[1]?.status, 404);
    assert.equal(requests[1]?.error_code, 'NOT_FOUND');
    assert.equal(requests[1]?.cold_start, false);
  });
});
