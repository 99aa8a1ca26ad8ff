import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface SiteRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  at: number;
}

export interface LoopbackSite {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  url(pathAndQuery: string): string;
  /** Every request so far, in arrival order. */
  requests: SiteRequest[];
  /** Requests to `path` (query ignored). */
  requestsTo(path: string): SiteRequest[];
  /** Resolves with the first request (already arrived or arriving) that `match` accepts; rejects after `timeoutMs`. */
  waitForRequest(match: (req: SiteRequest) => boolean, timeoutMs: number): Promise<SiteRequest>;
  close(): Promise<void>;
}

export type SiteHandler = (req: SiteRequest, res: ServerResponse, raw: IncomingMessage) => void;

/** A 1×1 PNG. */
export const PIXEL_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

/**
 * A loopback HTTP server standing in for a public web site (on a stack with private network access
 * allowed). It records every request with its headers, and answers through `handle`; closing it
 * cuts open connections, including requests `handle` left hanging.
 */
export const startLoopbackSite = async (handle: SiteHandler): Promise<LoopbackSite> => {
  const requests: SiteRequest[] = [];
  const waiters = new Set<() => void>();
  const server = createServer((raw, res) => {
    const url = new URL(raw.url ?? '/', 'http://127.0.0.1');
    const req: SiteRequest = {
      method: raw.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: raw.headers,
      at: Date.now(),
    };
    requests.push(req);
    for (const wake of waiters) wake();
    raw.resume();
    handle(req, res, raw);
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: (pathAndQuery) => `${origin}${pathAndQuery}`,
    requests,
    requestsTo: (path) => requests.filter((r) => r.path === path),
    waitForRequest: (match, timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = requests.find(match);
          if (!found) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching request within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
