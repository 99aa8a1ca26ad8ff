import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Socket } from 'node:net';
import type { TestStack } from './stack.ts';
import { type Answer, quickjob } from './tenants.ts';

/** One sign that something reached the server: a TCP connection, an HTTP request, an upgrade or a datagram. */
export interface Contact {
  kind: 'tcp' | 'http' | 'upgrade' | 'udp';
  /** Method and path for http and upgrade, the peer for tcp and udp. */
  detail: string;
  at: number;
}

export interface SecretServer {
  /** A random marker in every answer; a PDF that contains it read something from this server. */
  secret: string;
  /** TCP port: HTTP, WebSocket upgrades and anything else (a TLS hello is recorded, then cut). */
  port: number;
  /** UDP port on 127.0.0.1 that records every datagram (STUN binding requests from WebRTC). */
  udpPort: number;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  url(path: string): string;
  /** Everything recorded since the start or the last `reset()`, in order. */
  contacts: Contact[];
  /**
   * Resolves as soon as something reaches the server, with everything recorded so far, or with an empty
   * list once `windowMs` passed without contact: the observation window of a "nothing got through".
   */
  contactWithin(windowMs: number): Promise<Contact[]>;
  reset(): void;
  close(): Promise<void>;
}

const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** One unmasked text frame, as a server sends it (payload under 126 bytes). */
const textFrame = (text: string): Buffer => {
  const payload = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from([0x81, payload.length]), payload]);
};

/** A body with the secret in the form the requester can read: module, script, stylesheet, stream or HTML. */
const answer = (path: string, secret: string): { type: string; body: string } => {
  if (path.endsWith('.mjs'))
    return { type: 'text/javascript', body: `export default ${JSON.stringify(secret)};` };
  if (path.endsWith('.js'))
    return { type: 'text/javascript', body: `self.leaked = ${JSON.stringify(secret)};` };
  if (path.endsWith('.css')) return { type: 'text/css', body: `body::after { content: "${secret}" }` };
  if (path.startsWith('/events')) return { type: 'text/event-stream', body: `data: ${secret}\n\n` };
  return { type: 'text/html; charset=utf-8', body: `<!DOCTYPE html><p>${secret}</p>` };
};

/**
 * A loopback server standing in for whatever a document must never reach from the renderer (the
 * metadata service, a VPC host, the local machine). It records any contact at all, down to a bare TCP
 * connection (preconnect, a TLS hello for wss://) and a UDP datagram, and answers every request as
 * permissively as a real target could: CORS and Private Network Access allowed, WebSocket handshakes
 * accepted, each with the secret.
 */
export const startSecretServer = async (): Promise<SecretServer> => {
  const secret = `SECRET${randomBytes(8).toString('hex').toUpperCase()}`;
  const contacts: Contact[] = [];
  const waiters = new Set<() => void>();
  const record = (kind: Contact['kind'], detail: string) => {
    contacts.push({ kind, detail, at: Date.now() });
    for (const wake of waiters) wake();
  };

  const cors = (req: IncomingMessage): Record<string, string> => ({
    'access-control-allow-origin': req.headers.origin ?? '*',
    'access-control-allow-credentials': 'true',
    'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '*',
    'access-control-allow-methods': 'GET, POST, PUT, OPTIONS',
    'access-control-allow-private-network': 'true',
    'cross-origin-resource-policy': 'cross-origin',
  });
  const http = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    record('http', `${req.method} ${req.url}`);
    req.resume();
    const { type, body } = answer(new URL(req.url ?? '/', 'http://x').pathname, secret);
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', ...cors(req) }).end(body);
  });
  http.on('upgrade', (req: IncomingMessage, socket: Socket) => {
    record('upgrade', `${req.method} ${req.url}`);
    const key = String(req.headers['sec-websocket-key'] ?? '');
    const accept = createHash('sha1')
      .update(key + WEBSOCKET_GUID)
      .digest('base64');
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    socket.write(textFrame(secret));
  });
  // Anything that is not HTTP (a TLS ClientHello) was recorded as a connection; cut it.
  http.on('clientError', (_err, socket: Socket) => socket.destroy());

  const sockets = new Set<Socket>();
  const tcp = createTcpServer((socket) => {
    record('tcp', `${socket.remoteAddress}:${socket.remotePort}`);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    http.emit('connection', socket);
  });
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  const { port } = tcp.address() as AddressInfo;

  const udp: UdpSocket = createSocket('udp4');
  udp.on('message', (_msg, peer) => record('udp', `${peer.address}:${peer.port}`));
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  const udpPort = udp.address().port;

  const origin = `http://127.0.0.1:${port}`;
  return {
    secret,
    port,
    udpPort,
    origin,
    url: (path) => `${origin}${path.startsWith('/') ? path : `/${path}`}`,
    contacts,
    contactWithin: (windowMs) =>
      new Promise((resolve) => {
        if (contacts.length > 0) {
          resolve([...contacts]);
          return;
        }
        const done = () => {
          clearTimeout(timer);
          waiters.delete(done);
          resolve([...contacts]);
        };
        const timer = setTimeout(done, windowMs);
        waiters.add(done);
      }),
    reset: () => {
      contacts.length = 0;
    },
    close: async () => {
      for (const wake of waiters) wake();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
      http.close();
      await new Promise<void>((resolve) => udp.close(() => resolve()));
    },
  };
};

/** "nothing" or a readable list of what got through, for assertion messages. */
export const describeContacts = (contacts: Contact[]): string =>
  contacts.length === 0 ? 'nothing' : contacts.map((c) => `${c.kind} ${c.detail}`).join('; ');

/**
 * How long after its answer a document's late attempts (a worker, a beacon, ICE checks, a popup's
 * navigation) are watched for. Loopback answers in well under a millisecond.
 */
export const CONTACT_WINDOW_MS = 1_500;

/**
 * Starts a secret server of its own (so nothing left over from another test can count here), renders
 * the document `build` makes for it as `apiKey`, and asserts that nothing reached the server within
 * the observation window, that the document still rendered, and that the secret is not in the PDF.
 */
export const assertNoEgress = async (
  stack: TestStack,
  apiKey: string,
  what: string,
  build: (secret: SecretServer) => string,
  options?: Record<string, unknown>,
  /** `any`: a document that navigates itself away may fail its own render; only egress matters. */
  ownOutcome: 'pdf' | 'any' = 'pdf',
): Promise<Answer> => {
  const secret = await startSecretServer();
  try {
    const answer = await quickjob(stack, apiKey, build(secret), options);
    const contacts = await secret.contactWithin(CONTACT_WINDOW_MS);
    assert.equal(contacts.length, 0, `${what} reached the loopback server: ${describeContacts(contacts)}`);
    if (ownOutcome === 'any') {
      assert.ok(
        answer.status === 200 || answer.errorCode !== undefined,
        `podpdf answered (${answer.status})`,
      );
      return answer;
    }
    assert.equal(
      answer.status,
      200,
      `the document itself renders (got ${answer.status} ${answer.errorCode})`,
    );
    assert.ok(!answer.text.includes(secret.secret), `${what}: the secret is in the PDF: ${answer.text}`);
    return answer;
  } finally {
    await secret.close();
  }
};
