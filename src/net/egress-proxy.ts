import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { connect, isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { isNeverReached, isPublicAddress, resolveHost, stripBrackets } from './address-policy.ts';

/**
 * The one way out for everything Chromium loads: documents, workers, popups, forms, prefetch,
 * WebSocket (tunnelled with CONNECT) and header/footer templates. The proxy resolves each name
 * itself, applies the address policy to every address and connects to the address it checked, so a
 * name that changes its answer in between (DNS rebinding) reaches nothing it was not allowed to.
 */
export interface EgressProxy {
  /** `http://127.0.0.1:PORT`, for Chromium's `--proxy-server` or a browser context's `proxyServer`. */
  url: string;
  /** Connections and requests refused so far (a test hook and a metric). */
  refused(): number;
  close(): Promise<void>;
}

export interface EgressPolicy {
  /** Let loads reach private and loopback addresses (a stack whose documents read a local server). */
  allowPrivateNetwork: boolean;
}

/** How long the proxy waits for an upstream TCP connection. */
const CONNECT_TIMEOUT_MS = 10_000;

/** Headers that describe one hop (RFC 9110 §7.6.1) and the proxy's own, never forwarded. */
const HOP_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

class EgressRefused extends Error {
  override name = 'EgressRefused';
}

/** The address to connect to for `host`, or EgressRefused: every address must pass the policy. */
const pickAddress = async (rawHost: string, policy: EgressPolicy): Promise<string> => {
  const host = stripBrackets(rawHost).toLowerCase();
  if (host === '') throw new EgressRefused('no host');
  if (isIP(host) && isNeverReached(host)) throw new EgressRefused(`${host} is never reached`);
  if (isIP(host)) {
    if (policy.allowPrivateNetwork || isPublicAddress(host)) return host;
    throw new EgressRefused(`${host} is not a public address`);
  }
  if (!policy.allowPrivateNetwork && (host === 'localhost' || host.endsWith('.localhost')))
    throw new EgressRefused(`${host} is loopback`);
  const addresses = await resolveHost(host).catch(() => []);
  const first = addresses[0];
  if (!first) throw new EgressRefused(`${host} does not resolve`);
  const never = addresses.find((a) => isNeverReached(a.address));
  if (never) throw new EgressRefused(`${host} resolves to ${never.address}`);
  if (!policy.allowPrivateNetwork) {
    const refused = addresses.find((a) => !isPublicAddress(a.address));
    if (refused) throw new EgressRefused(`${host} resolves to ${refused.address}`);
  }
  return first.address;
};

/** Splits CONNECT's `host:port` (IPv6 in brackets); undefined when it is not one. */
const parseAuthority = (authority: string): { host: string; port: number } | undefined => {
  const match = /^(\[[^\]]+\]|[^:[\]]+):(\d{1,5})$/.exec(authority);
  const port = Number(match?.[2]);
  if (!match?.[1] || !Number.isInteger(port) || port < 1 || port > 65_535) return undefined;
  return { host: match[1], port };
};

const openUpstream = (address: string, port: number): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const socket = connect({ host: address, port, timeout: CONNECT_TIMEOUT_MS });
    socket.once('connect', () => {
      socket.setTimeout(0);
      resolve(socket);
    });
    socket.once('timeout', () => socket.destroy(new Error('connect timeout')));
    socket.once('error', reject);
  });

/** Marks podpdf's own refusals, so a refused page is not taken for the site's own 403. */
export const EGRESS_REFUSED_HEADER = 'x-podpdf-egress';

const refuseSocket = (client: Duplex): void => {
  client.end(
    `HTTP/1.1 403 Forbidden\r\n${EGRESS_REFUSED_HEADER}: refused\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`,
  );
};

/**
 * Starts a proxy on 127.0.0.1 (a free port) for one egress policy. Chromium reaches it with
 * `--proxy-bypass-list=<-loopback>`, so even loopback URLs go through it and are refused.
 */
export const startEgressProxy = async (policy: EgressPolicy): Promise<EgressProxy> => {
  let refusals = 0;
  const sockets = new Set<Duplex>();
  const track = (socket: Duplex) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  const onConnect = async (req: IncomingMessage, client: Duplex, head: Buffer) => {
    track(client);
    client.on('error', () => undefined);
    const target = parseAuthority(req.url ?? '');
    try {
      if (!target) throw new EgressRefused(`not an authority: ${req.url}`);
      const address = await pickAddress(target.host, policy);
      const upstream = await openUpstream(address, target.port);
      track(upstream);
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      client.pipe(upstream).pipe(client);
    } catch (err) {
      if (err instanceof EgressRefused) refusals += 1;
      if (!client.destroyed) refuseSocket(client);
    }
  };

  const onRequest = async (req: IncomingMessage, res: import('node:http').ServerResponse) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      refusals += 1;
      res.writeHead(400).end();
      return;
    }
    try {
      if (url.protocol !== 'http:') throw new EgressRefused(`scheme ${url.protocol}`);
      const address = await pickAddress(url.hostname, policy);
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined && !HOP_HEADERS.has(name)) headers[name] = value;
      }
      headers.host = url.host; // an absolute-form request's authority wins over its Host (RFC 9112 §3.2.2)
      const upstream = httpRequest({
        host: address,
        port: url.port === '' ? 80 : Number(url.port),
        method: req.method,
        path: `${url.pathname}${url.search}`,
        headers,
        timeout: CONNECT_TIMEOUT_MS,
      });
      upstream.once('timeout', () => upstream.destroy(new Error('upstream timeout')));
      upstream.once('response', (answer) => {
        upstream.setTimeout(0);
        const out: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(answer.headers)) {
          // A site cannot pass its own answer off as podpdf's refusal.
          if (value !== undefined && !HOP_HEADERS.has(name) && name !== EGRESS_REFUSED_HEADER)
            out[name] = value;
        }
        res.writeHead(answer.statusCode ?? 502, out);
        answer.pipe(res);
      });
      upstream.once('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.destroy();
      });
      req.pipe(upstream);
    } catch (err) {
      if (err instanceof EgressRefused) refusals += 1;
      res.writeHead(403, { connection: 'close', [EGRESS_REFUSED_HEADER]: 'refused' }).end();
    }
  };

  const server: Server = createServer((req, res) => void onRequest(req, res));
  server.on('connect', (req, client, head) => void onConnect(req, client, head));
  // A WebSocket or other upgrade sent as a plain request rather than tunnelled: never forwarded.
  server.on('upgrade', (_req, client) => {
    refusals += 1;
    refuseSocket(client);
  });
  server.on('connection', (socket) => track(socket));
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  server.unref();
  return {
    url: `http://127.0.0.1:${port}`,
    refused: () => refusals,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
