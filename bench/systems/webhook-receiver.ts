import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onCleanup } from '../cleanup.ts';

/**
 * A webhook endpoint on 127.0.0.1 that notes when each job's webhook arrived (performance.now() of
 * this process), so submit → webhook latency is measured on one clock.
 */
export interface WebhookClock {
  url: string;
  /** Resolves with the arrival time of `jobId`'s webhook. */
  arrival(jobId: string, timeoutMs?: number): Promise<{ at: number; status: string }>;
  /** Requests received so far, retries included. */
  requests(): number;
  close(): Promise<void>;
}

/**
 * `answer`: the status it replies with, after `delayMs` (a receiver that is down or slow); 204 at
 * once by default.
 */
export const startWebhookClock = async (
  answer: { status: number; delayMs: number } = { status: 204, delayMs: 0 },
): Promise<WebhookClock> => {
  const arrived = new Map<string, { at: number; status: string }>();
  const waiting = new Map<string, (value: { at: number; status: string }) => void>();
  let requests = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const at = performance.now();
      requests += 1;
      const reply = () => res.writeHead(answer.status).end();
      if (answer.delayMs > 0) setTimeout(reply, answer.delayMs);
      else reply();
      const { job_id: jobId, status } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        job_id: string;
        status: string;
      };
      if (arrived.has(jobId)) return; // a retry: the first arrival is the one timed
      arrived.set(jobId, { at, status });
      waiting.get(jobId)?.({ at, status });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  const unregister = onCleanup(close);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/podpdf`,
    arrival: (jobId, timeoutMs = 120_000) =>
      new Promise((resolve, reject) => {
        const known = arrived.get(jobId);
        if (known) {
          resolve(known);
          return;
        }
        const timer = setTimeout(() => reject(new Error(`no webhook for job ${jobId}`)), timeoutMs);
        waiting.set(jobId, (value) => {
          clearTimeout(timer);
          resolve(value);
        });
      }),
    requests: () => requests,
    close: () => {
      unregister();
      return close();
    },
  };
};
