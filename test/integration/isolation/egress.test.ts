import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  fetchProbe,
  inDedicatedWorker,
  inSharedWorker,
  scriptDocument,
  webSocketProbe,
} from '../../helpers/attack-page.ts';
import { assertNoEgress, type SecretServer } from '../../helpers/secret-server.ts';
import { startTestStack, type TestStack } from '../../helpers/stack.ts';
import { quickjob, stopStack, twoTenantKeys } from '../../helpers/tenants.ts';

// Private network access is off, as on AWS: the loopback server stands for the metadata service, the VPC
// or anything else on the renderer's own network. Each test has a server of its own.
describe('renderer egress: nothing reaches a loopback server', () => {
  let stack: TestStack;
  const [keyA, keyB] = twoTenantKeys();

  before(async () => {
    stack = await startTestStack({ apiKeys: [keyA, keyB] });
  });
  after(async () => {
    await stopStack(stack);
  });

  const noEgress = (what: string, build: (secret: SecretServer) => string) =>
    assertNoEgress(stack, keyA, what, build);
  const ws = (secret: SecretServer, scheme = 'ws') => `${scheme}://127.0.0.1:${secret.port}/x`;

  it('a WebSocket from the document does not connect', async () => {
    const answer = await noEgress('ws:// from the document', (secret) =>
      scriptDocument('ws-document', `hold(${webSocketProbe(ws(secret))}.then((r) => report('ws', r)));`),
    );
    assert.match(answer.text, /ws-document/);
  });

  it('a wss:// WebSocket from the document does not connect', async () => {
    await noEgress('wss:// from the document', (secret) =>
      scriptDocument(
        'wss-document',
        `hold(${webSocketProbe(ws(secret, 'wss'))}.then((r) => report('wss', r)));`,
      ),
    );
  });

  it('a WebSocket from a dedicated blob: worker does not connect', async () => {
    await noEgress('ws:// from a dedicated worker', (secret) =>
      scriptDocument(
        'ws-worker',
        `hold(${inDedicatedWorker(webSocketProbe(ws(secret)))}.then((r) => report('worker', r)));`,
      ),
    );
  });

  it('a WebSocket from a SharedWorker does not connect', async () => {
    await noEgress('ws:// from a SharedWorker', (secret) =>
      scriptDocument(
        'ws-shared-worker',
        `hold(${inSharedWorker(webSocketProbe(ws(secret)))}.then((r) => report('shared', r)));`,
      ),
    );
  });

  it('fetch from a dedicated worker and a SharedWorker does not reach the server', async () => {
    await noEgress('fetch from a worker', (secret) =>
      scriptDocument(
        'fetch-workers',
        `hold(${inDedicatedWorker(fetchProbe(secret.url('/worker-fetch')))}.then((r) => report('worker', r)));
         hold(${inSharedWorker(fetchProbe(secret.url('/shared-worker-fetch')))}.then((r) => report('shared', r)));`,
      ),
    );
  });

  it('WebRTC ICE (STUN, TURN over TCP, remote loopback candidates) sends nothing to loopback', async () => {
    await noEgress('WebRTC', ({ port, udpPort }) =>
      scriptDocument(
        'webrtc',
        `hold((async () => {
          if (typeof RTCPeerConnection === 'undefined') return report('webrtc', 'unavailable');
          const pc = new RTCPeerConnection({ iceServers: [
            { urls: 'stun:127.0.0.1:${udpPort}' },
            { urls: 'turn:127.0.0.1:${port}?transport=tcp', username: 'u', credential: 'p' },
          ] });
          pc.createDataChannel('x');
          const offer = await pc.createOffer();
          await pc.setLocalDescription(offer);
          // Answer with our own ICE credentials and loopback candidates: connectivity checks go to them.
          const sdp = offer.sdp
            .replace(/a=setup:actpass/g, 'a=setup:active')
            .replace(/a=ice-ufrag:.*/g, 'a=ice-ufrag:podpdfx')
            .replace(/a=ice-pwd:.*/g, 'a=ice-pwd:podpdfpodpdfpodpdfpodpdf1');
          await pc.setRemoteDescription({ type: 'answer', sdp });
          for (const candidate of [
            'candidate:1 1 udp 2122260223 127.0.0.1 ${udpPort} typ host',
            'candidate:2 1 tcp 1518280447 127.0.0.1 ${port} typ host tcptype passive',
          ]) {
            await pc.addIceCandidate({ candidate, sdpMid: '0', sdpMLineIndex: 0 }).catch((e) => report('candidate', e));
          }
          await new Promise((resolve) => {
            pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
            setTimeout(resolve, 1500);
          });
          report('webrtc', pc.iceGatheringState + ' ' + pc.iceConnectionState);
        })().catch((e) => report('webrtc', 'failed ' + e)));`,
        2_500,
      ),
    );
  });

  it('baselines: fetch, EventSource, import(), sendBeacon and an iframe from a script document', async () => {
    await noEgress('a baseline request', (secret) => {
      const url = (path: string) => JSON.stringify(secret.url(path));
      return scriptDocument(
        'baselines',
        `hold(${fetchProbe(secret.url('/baseline-fetch'))}.then((r) => report('fetch', r)));
         hold(new Promise((resolve) => {
           const es = new EventSource(${url('/events-baseline')});
           es.onmessage = (e) => { report('eventsource', e.data); es.close(); resolve(); };
           es.onerror = () => { report('eventsource', 'error'); es.close(); resolve(); };
         }));
         hold(import(${url('/baseline-import.mjs')}).then(
           (m) => report('import', m.default), (e) => report('import', 'failed ' + e)));
         report('beacon', navigator.sendBeacon(${url('/baseline-beacon')}, 'x'));
         const frame = document.createElement('iframe');
         frame.src = ${url('/baseline-iframe')};
         hold(new Promise((resolve) => { frame.onload = resolve; frame.onerror = resolve; }));
         document.body.append(frame);`,
      );
    });
  });

  it('baselines: img, stylesheet and background image in a script-free document', async () => {
    await noEgress(
      'a script-free baseline request',
      (secret) => `<p>script-free baselines</p><img src="${secret.url('/baseline.png')}">
        <link rel="stylesheet" href="${secret.url('/baseline.css')}">
        <div style="width:10px;height:10px;background:url(${secret.url('/baseline-bg.png')})"></div>`,
    );
  });

  it('account B renders normally after A probed the network', async () => {
    const answer = await quickjob(stack, keyB, '<p>tenant B invoice</p>');
    assert.equal(answer.status, 200);
    assert.equal(answer.text, 'tenant B invoice');
  });
});
