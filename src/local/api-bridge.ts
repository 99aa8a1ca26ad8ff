import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES } from '../domain/limits.ts';
import { lambdaContext } from './lambda-context.ts';

/**
 * An HTTP server that behaves like API Gateway HTTP API (payload 2.0) in front of Lambda: each request
 * becomes the event the real handler gets on AWS, and its result becomes the HTTP response. The
 * gateway's own answers (no route, payload limits, handler timeout or crash) are reproduced as AWS
 * gives them: `{"message": ...}` bodies, not podpdf's error shape.
 */

export type LambdaHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

export interface BridgeRoute {
  method: string;
  /** Path with `{name}` parameters, as in serverless.yml. */
  path: string;
  functionName: string;
  timeoutSeconds: number;
  handler: LambdaHandler;
}

/** API Gateway HTTP API refuses bodies over 10 MB. */
const GATEWAY_PAYLOAD_LIMIT_BYTES = 10 * 1024 * 1024;

const TEXT_CONTENT = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)|[^;]*\+(json|xml))/i;

class GatewayError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const compile = (route: BridgeRoute) => {
  const names: string[] = [];
  const pattern = route.path
    .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
    .replace(/\\?\{([^}+]+)\+?\\?\}/g, (_, name) => {
      names.push(name);
      return '([^/]+)';
    });
  return { route, names, regex: new RegExp(`^${pattern}$`) };
};

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      // Past the limit, stop buffering but keep draining so the 413 reaches the client, not a reset.
      if (size > GATEWAY_PAYLOAD_LIMIT_BYTES) reject(new GatewayError(413, 'Request Entity Too Large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

const toEvent = (
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  routeKey: string,
  pathParameters: Record<string, string>,
): APIGatewayProxyEventV2 => {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = key in query ? `${query[key]},${value}` : value;
  const isText = TEXT_CONTENT.test(headers['content-type'] ?? '');
  const now = new Date();
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.byteLength > 0
      ? { body: isText ? body.toString('utf8') : body.toString('base64'), isBase64Encoded: !isText }
      : { isBase64Encoded: false }),
  };
};

/**
 * Whether `payload` serializes to more than Lambda's synchronous payload limit. Serializing costs a
 * few milliseconds for a large document, so it is done only when the body could come near the limit:
 * JSON escaping at most sextuples a character (\u0000), and the rest of an event is a few kB.
 */
const overPayloadLimit = (payload: unknown, bodyLength: number): boolean =>
  bodyLength * 6 + 65_536 > LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES &&
  Buffer.byteLength(JSON.stringify(payload ?? null)) > LAMBDA_SYNC_PAYLOAD_LIMIT_BYTES;

/** Invokes like Lambda: the function's timeout is enforced and the response size limit applies. */
const invoke = async (route: BridgeRoute, event: APIGatewayProxyEventV2) => {
  const timeoutMs = route.timeoutSeconds * 1000;
  if (overPayloadLimit(event, event.body?.length ?? 0)) {
    throw new GatewayError(413, 'Request Entity Too Large');
  }
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    // A function timeout is a Lambda error, which the gateway answers with 500.
    timer = setTimeout(() => reject(new GatewayError(500, 'Internal Server Error')), timeoutMs);
  });
  try {
    const result = await Promise.race([
      route.handler(event, lambdaContext(route.functionName, Date.now() + timeoutMs)),
      timedOut,
    ]);
    const body = (result as APIGatewayProxyStructuredResultV2 | undefined)?.body;
    // A result of another shape is measured in full.
    if (overPayloadLimit(result, typeof body === 'string' ? body.length : Number.POSITIVE_INFINITY)) {
      throw new GatewayError(500, 'Internal Server Error');
    }
    return result as APIGatewayProxyStructuredResultV2;
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    console.error(`[local] ${route.functionName} threw`, err);
    throw new GatewayError(500, 'Internal Server Error');
  } finally {
    clearTimeout(timer);
  }
};

const send = (res: ServerResponse, result: APIGatewayProxyStructuredResultV2): void => {
  const body =
    result.body === undefined
      ? Buffer.alloc(0)
      : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  for (const [name, value] of Object.entries(result.headers ?? {})) {
    if (value !== undefined) res.setHeader(name, String(value));
  }
  if (result.cookies?.length) res.setHeader('set-cookie', result.cookies);
  res.setHeader('content-length', String(body.byteLength));
  res.writeHead(result.statusCode ?? 200);
  res.end(body);
};

const sendGatewayError = (res: ServerResponse, err: GatewayError): void =>
  send(res, {
    statusCode: err.status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message: err.message }),
  });

/** What the bridge answered one request, for an access log. */
export interface AccessLogEntry {
  method: string;
  path: string;
  status: number;
  ms: number;
  jobId: string | undefined;
}

/** `POST /quickjob 200 182 ms job 3f2c…`: one line a person can follow. */
export const formatAccessLog = (entry: AccessLogEntry): string =>
  `${entry.method} ${entry.path} ${entry.status} ${Math.round(entry.ms)} ms${entry.jobId ? ` job ${entry.jobId}` : ''}`;

/** Starts the bridge on 127.0.0.1:`port` (0 = any free port); `onAnswer` sees every answer sent. */
export const startApiBridge = async (
  routes: BridgeRoute[],
  port: number,
  onAnswer?: (entry: AccessLogEntry) => void,
): Promise<{ server: Server; url: string }> => {
  const compiled = routes.map(compile);
  const server = createServer(async (req, res) => {
    const started = performance.now();
    res.once('finish', () => {
      const jobId = res.getHeader('x-job-id');
      onAnswer?.({
        method: req.method ?? 'GET',
        path: new URL(req.url ?? '/', 'http://127.0.0.1').pathname,
        status: res.statusCode,
        ms: performance.now() - started,
        jobId: typeof jobId === 'string' ? jobId : undefined,
      });
    });
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const method = req.method ?? 'GET';
      const match = compiled
        .map((c) => ({ c, m: c.regex.exec(url.pathname) }))
        .find(({ c, m }) => m && c.route.method === method);
      const body = await readBody(req);
      if (!match?.m) throw new GatewayError(404, 'Not Found');
      const params = Object.fromEntries(
        match.c.names.map((name, i) => [name, decodeURIComponent(match.m?.[i + 1] ?? '')]),
      );
      const routeKey = `${match.c.route.method} ${match.c.route.path}`;
      send(res, await invoke(match.c.route, toEvent(req, url, body, routeKey, params)));
    } catch (err) {
      if (res.headersSent) return;
      sendGatewayError(
        res,
        err instanceof GatewayError ? err : new GatewayError(500, 'Internal Server Error'),
      );
    }
  });
  // Node closes an idle keep-alive connection after 5 s; a client reusing it at that moment gets
  // ECONNRESET. API Gateway keeps them far longer, and so does this stand-in for it.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: actual } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${actual}` };
};
