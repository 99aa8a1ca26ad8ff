import { createServer, get } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { PROJECT_ROOT } from '../../src/local/project-tmpdir.ts';
import { type DocumentId, loadDocument } from '../fixtures/documents.ts';
import { quickjobEvent } from './quickjob-event.ts';

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

const event = quickjobEvent(
  JSON.stringify({ input_type: 'html', html: loadDocument(documentId as DocumentId).html }),
  apiKey,
);
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
