import { Agent, type IncomingHttpHeaders, request } from 'node:http';

export interface QuickjobResult {
  ms: number;
  bytes: number;
  pages: number;
  truncated: boolean;
  /** The answer's Server-Timing header: podpdf's own spans of this request. */
  serverTiming: string;
}

/**
 * The podpdf API as a client with a connection pool calls it: keep-alive sockets, so after warm-up a
 * request pays for no TCP handshake, and plain node:http rather than fetch, whose streams cost the
 * benchmark's own process a millisecond of CPU per request that the renderers then go without.
 * `render` times POST /quickjob from sending the request to the last byte of the PDF; bodies are
 * serialized once per document, outside the timing. `call` sends any other request as JSON.
 */
export interface QuickjobClient {
  render(body: Buffer): Promise<QuickjobResult>;
  call(method: string, path: string, body?: unknown): Promise<Record<string, unknown>>;
  close(): void;
}

const REQUEST_TIMEOUT_MS = 60_000;

export const quickjobBody = (html: string): Buffer =>
  Buffer.from(JSON.stringify({ input_type: 'html', html }));

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  payload: Buffer;
}

export const createQuickjobClient = (baseUrl: string, apiKey: string): QuickjobClient => {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const send = (method: string, path: string, body: Buffer | undefined): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const req = request(
        new URL(path, baseUrl),
        {
          method,
          agent,
          timeout: REQUEST_TIMEOUT_MS,
          headers: {
            authorization: `Bearer ${apiKey}`,
            ...(body
              ? { 'content-type': 'application/json', 'content-length': String(body.byteLength) }
              : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, payload: Buffer.concat(chunks) }),
          );
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} took over ${REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  const refusal = (method: string, path: string, answer: Answer) =>
    new Error(`${method} ${path} answered ${answer.status}: ${answer.payload.toString('utf8', 0, 500)}`);

  const render = async (body: Buffer): Promise<QuickjobResult> => {
    const start = performance.now();
    const answer = await send('POST', '/quickjob', body);
    const ms = performance.now() - start;
    if (answer.status !== 200 || answer.headers['content-type'] !== 'application/pdf')
      throw refusal('POST', '/quickjob', answer);
    return {
      ms,
      bytes: answer.payload.byteLength,
      pages: Number(answer.headers['x-pdf-pages']),
      truncated: answer.headers['x-pdf-truncated'] === 'true',
      serverTiming: String(answer.headers['server-timing'] ?? ''),
    };
  };
  const call = async (method: string, path: string, body?: unknown) => {
    const answer = await send(
      method,
      path,
      body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
    );
    if (answer.status < 200 || answer.status > 299) throw refusal(method, path, answer);
    return JSON.parse(answer.payload.toString('utf8')) as Record<string, unknown>;
  };
  return { render, call, close: () => agent.destroy() };
};
