import { Agent, request } from 'node:http';

export interface QuickjobResult {
  ms: number;
  bytes: number;
  pages: number;
  truncated: boolean;
}

/**
 * POST /quickjob as a client with a connection pool would: keep-alive sockets, so after warm-up a
 * request pays for no TCP handshake. The timing runs from sending the request to the last byte of the
 * PDF. Bodies are serialized once per document, outside the timing.
 */
export interface QuickjobClient {
  render(body: Buffer): Promise<QuickjobResult>;
  close(): void;
}

const REQUEST_TIMEOUT_MS = 60_000;

export const quickjobBody = (html: string): Buffer =>
  Buffer.from(JSON.stringify({ input_type: 'html', html }));

export const createQuickjobClient = (baseUrl: string, apiKey: string): QuickjobClient => {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const url = new URL('/quickjob', baseUrl);
  const render = (body: Buffer): Promise<QuickjobResult> =>
    new Promise((resolve, reject) => {
      const start = performance.now();
      const req = request(
        url,
        {
          method: 'POST',
          agent,
          timeout: REQUEST_TIMEOUT_MS,
          headers: {
            authorization: `Bearer ${apiKey}`,
            'content-type': 'application/json',
            'content-length': String(body.byteLength),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const ms = performance.now() - start;
            const payload = Buffer.concat(chunks);
            if (res.statusCode !== 200 || res.headers['content-type'] !== 'application/pdf') {
              reject(
                new Error(`POST /quickjob answered ${res.statusCode}: ${payload.toString('utf8', 0, 500)}`),
              );
              return;
            }
            resolve({
              ms,
              bytes: payload.byteLength,
              pages: Number(res.headers['x-pdf-pages']),
              truncated: res.headers['x-pdf-truncated'] === 'true',
            });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`POST /quickjob took over ${REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  return { render, close: () => agent.destroy() };
};
