import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** The API Gateway (payload 2.0) event of one POST /quickjob, as the handler receives it on AWS. */
export const quickjobEvent = (body: string, apiKey: string): APIGatewayProxyEventV2 => ({
  version: '2.0',
  routeKey: 'POST /quickjob',
  rawPath: '/quickjob',
  rawQueryString: '',
  headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
  requestContext: {
    accountId: '000000000000',
    apiId: 'bench',
    domainName: '127.0.0.1',
    domainPrefix: 'bench',
    http: {
      method: 'POST',
      path: '/quickjob',
      protocol: 'HTTP/1.1',
      sourceIp: '127.0.0.1',
      userAgent: 'bench',
    },
    requestId: randomUUID(),
    routeKey: 'POST /quickjob',
    stage: '$default',
    time: new Date().toUTCString(),
    timeEpoch: Date.now(),
  },
  body,
  isBase64Encoded: false,
});
