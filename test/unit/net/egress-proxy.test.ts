import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { useHostResolver } from '../../../src/net/address-policy.ts';
import { type EgressProxy, startEgressProxy } from '../../../src/net/egress-proxy.ts';

/** A loopback "secret" server that records every connection and request it gets. */
const startSecret = async () => {
  const seen: string[] = [];
  let connections = 0;
  const server: Server = createServer((req, res) => {
    seen.push(
      `${req.method} ${req.url} host=${req.headers.host} proxy=${req.headers['proxy-connection'] ?? ''}`,
    );
    res.writeHead(200, { 'content-type': 'text/plain', connection: 'close' }).end('SECRET');
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    connections: () => connections,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
};

const proxyPort = (proxy: EgressProxy) => Number(new URL(proxy.url).port);

/** Sends CONNECT through the proxy; resolves with the status line and the open socket. */
const connectThrough = (proxy: EgressProxy, authority: string): Promise<{ status: string; socket: Socket }> =>
  new Promise((resolve, reject) => {
    const socket = connect(proxyPort(proxy), '127.0.0.1');
    let buffered = '';
    socket.once('error', reject);
    socket.on('data', function onData(chunk) {
      buffered += chunk.toString('latin1');
      if (!buffered.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      resolve({ status: buffered.split('\r\n')[0] ?? '', socket });
    });
    socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`);
  });

/** A plain-HTTP request in absolute form, as Chromium sends it to a proxy. */
const getThrough = (
  proxy: EgressProxy,
  url: string,
): Promise<{ status: number; body: string; headers: import('node:http').IncomingHttpHeaders }> =>
  new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: proxyPort(proxy),
        method: 'GET',
        path: url,
        headers: { 'proxy-connection': 'keep-alive' },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.once('error', reject);
    req.end();
  });

describe('egress proxy', () => {
  let secret: Awaited<ReturnType<typeof startSecret>>;
  let strict: EgressProxy;
  let open: EgressProxy;

  before(async () => {
    secret = await startSecret();
    strict = await startEgressProxy({ allowPrivateNetwork: false });
    open = await startEgressProxy({ allowPrivateNetwork: true });
  });
  after(async () => {
    await Promise.all([strict.close(), open.close(), secret.close()]);
  });
  afterEach(() => useHostResolver(undefined));

  it('refuses to tunnel to loopback, private and link-local addresses, in every spelling', async () => {
    for (const host of [
      '127.0.0.1',
      '[::1]',
      '[::ffff:127.0.0.1]',
      '[::127.0.0.1]',
      '10.0.0.1',
      '169.254.169.254',
      'localhost',
      'a.localhost',
    ]) {
      const { status, socket } = await connectThrough(strict, `${host}:${secret.port}`);
      socket.destroy();
      assert.match(status, /^HTTP\/1\.1 403/, host);
    }
    assert.equal(secret.connections(), 0, 'nothing reached the secret server');
  });

  it('refuses plain-HTTP requests to loopback and anything but http:', async () => {
    const before = strict.refused();
    for (const url of [
      `http://127.0.0.1:${secret.port}/x`,
      `http://localhost:${secret.port}/x`,
      `ftp://127.0.0.1:${secret.port}/`,
    ]) {
      assert.equal((await getThrough(strict, url)).status, 403, url);
    }
    assert.equal(strict.refused() - before, 3);
    assert.equal(secret.connections(), 0);
  });

  it('refuses a name when any address it resolves to is not public', async () => {
    useHostResolver(async (name) =>
      name === 'mixed.test'
        ? [
            { address: '93.184.216.34', family: 4 },
            { address: '127.0.0.1', family: 4 },
          ]
        : [{ address: '127.0.0.1', family: 4 }],
    );
    for (const host of ['mixed.test', 'rebound.test']) {
      const { status, socket } = await connectThrough(strict, `${host}:${secret.port}`);
      socket.destroy();
      assert.match(status, /403/, host);
    }
    assert.equal(secret.connections(), 0);
  });

  it('connects to the address it resolved and checked, not to one looked up again later', async () => {
    let lookups = 0;
    useHostResolver(async () => {
      lookups += 1;
      return [{ address: '127.0.0.1', family: 4 }];
    });
    const res = await getThrough(open, `http://site.test:${secret.port}/page?q=1`);
    assert.equal(res.status, 200);
    assert.equal(res.body, 'SECRET');
    assert.equal(lookups, 1);
    // The Host header is the name asked for; the proxy's own hop headers are not passed on.
    assert.deepEqual(secret.seen.at(-1), `GET /page?q=1 host=site.test:${secret.port} proxy=`);
  });

  it('tunnels to private addresses under a policy that allows them', async () => {
    const { status, socket } = await connectThrough(open, `127.0.0.1:${secret.port}`);
    assert.match(status, /^HTTP\/1\.1 200/);
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk.toString();
      });
      socket.on('close', () => resolve(text));
      socket.write('GET /tunnelled HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    });
    socket.destroy();
    assert.match(answer, /^HTTP\/1\.1 200 [\s\S]*\r\nSECRET\r\n/);
    assert.equal(secret.seen.at(-1)?.startsWith('GET /tunnelled'), true);
  });

  it('never reaches link-local or metadata addresses, even under a policy that allows private ones', async () => {
    useHostResolver(async () => [{ address: '169.254.169.254', family: 4 }]);
    for (const host of [
      '169.254.169.254',
      '[fe80::1]',
      '[::ffff:169.254.169.254]',
      '[fd00:ec2::254]',
      'metadata.test',
    ]) {
      const { status, socket } = await connectThrough(open, `${host}:80`);
      socket.destroy();
      assert.match(status, /^HTTP\/1\.1 403/, host);
    }
    const refused = await getThrough(open, 'http://169.254.169.254/latest/meta-data/');
    assert.equal(refused.status, 403);
    assert.equal(refused.headers['x-podpdf-egress'], 'refused', "marked as podpdf's refusal");
  });

  it('refuses malformed CONNECT targets and upgrades sent without a tunnel', async () => {
    for (const authority of ['127.0.0.1', 'host:99999', ':80', '[::1:80']) {
      const { status, socket } = await connectThrough(open, authority);
      socket.destroy();
      assert.match(status, /403/, authority);
    }
    const upgrade = await new Promise<string>((resolve, reject) => {
      const socket = connect(proxyPort(open), '127.0.0.1');
      socket.once('error', reject);
      socket.once('data', (chunk) => {
        resolve(chunk.toString().split('\r\n')[0] ?? '');
        socket.destroy();
      });
      socket.write(
        `GET http://127.0.0.1:${secret.port}/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`,
      );
    });
    assert.match(upgrade, /403/);
  });
});
