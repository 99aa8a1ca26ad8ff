import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { type NodeProcess, startNodeProcess } from './node-process.ts';

/**
 * podpdf as a user runs it: `npm start`'s command (node src/local/main.ts) in its own process, so its
 * memory and its Chromium can be measured apart from the benchmark's. npm itself is left out: its own
 * start-up is not podpdf's. With `separateEmulators`, DynamoDB, S3 and SQS run in a process of their own
 * (`npm run emulators`), so the server's CPU and memory are podpdf's: on AWS those services are not in
 * the function's process either.
 */
export interface PodpdfServer extends NodeProcess {
  url: string;
  apiKey: string;
  /** The emulators' process, when they run apart from the server. */
  emulatorsPid: number | undefined;
}

const BENCH_PLAN = {
  PODPDF_RATE_PER_S: '100000',
  PODPDF_RATE_BURST: '100000',
  PODPDF_MONTHLY_PDFS: '100000000',
  PODPDF_MAX_ACTIVE_JOBS: '100000',
};

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const startEmulatorsProcess = async (env: Record<string, string>) => {
  // Always this checkout's: an older one may not have `npm run emulators`, and they serve the same APIs.
  const emulators = await startNodeProcess({
    name: 'podpdf emulators',
    script: 'src/local/emulators-main.ts',
    env,
    bannerEnd: 'Ctrl-C stops them.',
  });
  const endpoints = /PODPDF_DYNAMODB_ENDPOINT=(\S+) PODPDF_AWS_ENDPOINT=(\S+)/.exec(emulators.output());
  if (!endpoints) {
    await emulators.stop();
    throw new Error(`no endpoints in the emulators' banner:\n${emulators.output()}`);
  }
  return {
    process: emulators,
    env: { PODPDF_DYNAMODB_ENDPOINT: endpoints[1] as string, PODPDF_AWS_ENDPOINT: endpoints[2] as string },
  };
};

export const startPodpdfServer = async (
  options: { env?: Record<string, string>; separateEmulators?: boolean; checkout?: string } = {},
): Promise<PodpdfServer> => {
  const port = await freePort();
  const apiKey = `podpdf_bench_${randomBytes(24).toString('base64url')}`;
  const emulators = options.separateEmulators ? await startEmulatorsProcess(options.env ?? {}) : undefined;
  const server = await startNodeProcess({
    name: 'podpdf server',
    script: 'src/local/main.ts',
    ...(options.checkout ? { cwd: options.checkout } : {}),
    // The benchmark measures throughput, not the plan's limits: its client would be refused past them.
    env: {
      ...BENCH_PLAN,
      ...options.env,
      ...emulators?.env,
      PODPDF_PORT: String(port),
      PODPDF_DEV_API_KEYS: apiKey,
    },
    bannerEnd: 'Ctrl-C stops everything.',
  }).catch(async (err: unknown) => {
    await emulators?.process.stop();
    throw err;
  });
  return {
    ...server,
    url: `http://127.0.0.1:${port}`,
    apiKey,
    emulatorsPid: emulators?.process.pid,
    stop: async () => {
      await server.stop();
      await emulators?.process.stop();
    },
  };
};
