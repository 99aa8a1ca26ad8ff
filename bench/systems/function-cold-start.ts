/**
 * podpdf's Lambda cold start, run as a fresh process by scenarios/cold-start.ts:
 *
 *   node bench/systems/function-cold-start.ts <document-id> <api-key>
 *
 * Loads the deployed artifact — the esbuild bundle dist/handlers/quickjob.js, with the environment
 * serverless.yml gives the function (PODPDF_PREWARM_BROWSER included) — and invokes it with the
 * API Gateway event of one POST /quickjob, as Lambda's runtime does on a cold start. The tables are
 * those of an already running local stack, as DynamoDB exists before a function starts. Between
 * loading the handler and invoking it, Lambda's runtime client asks the Runtime API for the event over
 * HTTP on localhost; this script does the same against a tiny server of its own, so work the handler
 * started during init proceeds as it would. Prints one JSON line once the PDF is returned.
 */
import { randomUUID } from 'node:crypto';
import { createServer, get } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { PROJECT_ROOT } from '../../src/local/project-tmpdir.ts';
import { type DocumentId, loadDocument } from '../fixtures/documents.ts';

export interface FunctionColdStartReport {
  event: 'rendered';
  /** Relative to this process's time origin (its start). */
  loadedAtMs: number;
  renderedAtMs: number;
  statusCode: number;
  pdfBytes: number;
}

type Handler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

const [documentId = 'invoice', apiKey = ''] = process.argv.slice(2);
const { handler } = createRequire(import.meta.url)(join(PROJECT_ROOT, 'dist/handlers/quickjob.js')) as {
  handler: Handler;
};
const loadedAtMs = performance.now();

/** The Runtime API's "next invocation", served from this process. */
const nextInvocation = async (body: string): Promise<APIGatewayProxyEventV2> => {
  const server = createServer((_req, res) => res.end(body));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const text = await new Promise<string>((resolve, reject) => {
    get(`http://127.0.0.1:${port}/2018-06-01/runtime/invocation/next`, (res) => {
      let data = '';
      res.on('data', (chunk) => {
        data += chunk;
      });
      res.on('end', () => resolve(data));
    }).on('error', reject);
  });
  server.close();
  return JSON.parse(text) as APIGatewayProxyEventV2;
};

const now = new Date();
const event: APIGatewayProxyEventV2 = {
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
    time: now.toUTCString(),
    timeEpoch: now.getTime(),
  },
  body: JSON.stringify({ input_type: 'html', html: loadDocument(documentId as DocumentId).html }),
  isBase64Encoded: false,
};
const invocation = await nextInvocation(JSON.stringify(event));
const deadline = Date.now() + 29_000;
const result = await handler(invocation, {
  getRemainingTimeInMillis: () => deadline - Date.now(),
} as Context);
const report: FunctionColdStartReport = {
  event: 'rendered',
  loadedAtMs,
  renderedAtMs: performance.now(),
  statusCode: result.statusCode ?? 0,
  pdfBytes: Buffer.from(result.body ?? '', 'base64').byteLength,
};
process.stdout.write(`${JSON.stringify(report)}\n`);
