import { mkdirSync } from 'node:fs';
import type { AddressInfo, ListenOptions } from 'node:net';
import { Server } from 'node:net';
import { join } from 'node:path';
import dynalite from 'dynalite';
import { startFauxqs } from 'fauxqs';

export interface EmulatorEndpoints {
  /** DynamoDB API (dynalite). */
  dynamodbEndpoint: string;
  /** S3 and SQS APIs (fauxqs). */
  awsEndpoint: string;
}

export interface Emulators extends EmulatorEndpoints {
  stop(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';

/**
 * fauxqs listens on 0.0.0.0 unconditionally; the local stack must stay on loopback. While `start` runs,
 * a listen on 0.0.0.0 is turned into a listen on 127.0.0.1.
 */
const listeningOnLoopback = async <T>(start: () => Promise<T>): Promise<T> => {
  const original = Server.prototype.listen;
  Server.prototype.listen = function listen(this: Server, ...args: unknown[]) {
    const [options] = args;
    if (options && typeof options === 'object' && (options as ListenOptions).host === '0.0.0.0') {
      args[0] = { ...(options as ListenOptions), host: LOOPBACK };
    }
    return (original as (...a: unknown[]) => Server).apply(this, args);
  } as typeof original;
  try {
    return await start();
  } finally {
    Server.prototype.listen = original;
  }
};

const startDynalite = async (path: string | undefined) => {
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(path ? { path } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${LOOPBACK}:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

/**
 * Starts dynalite and fauxqs in this process on free loopback ports. With `dataDir` their state is kept
 * on disk (dataDir/dynamodb, dataDir/fauxqs) and survives restarts; otherwise it lives in memory.
 */
export const startEmulators = async (dataDir?: string): Promise<Emulators> => {
  const dynamoPath = dataDir ? join(dataDir, 'dynamodb') : undefined;
  const fauxqsPath = dataDir ? join(dataDir, 'fauxqs') : undefined;
  for (const dir of [dynamoPath, fauxqsPath]) if (dir) mkdirSync(dir, { recursive: true });
  const dynamo = await startDynalite(dynamoPath);
  const fauxqs = await listeningOnLoopback(() =>
    startFauxqs({ port: 0, logger: false, ...(fauxqsPath ? { dataDir: fauxqsPath } : {}) }),
  );
  return {
    dynamodbEndpoint: dynamo.endpoint,
    awsEndpoint: `http://${LOOPBACK}:${fauxqs.port}`,
    stop: async () => {
      await Promise.all([dynamo.stop(), fauxqs.stop()]);
    },
  };
};

/** Emulators another process runs (`npm run emulators`): used as they are, and left running on stop. */
export const runningEmulators = (endpoints: EmulatorEndpoints): Emulators => ({
  ...endpoints,
  stop: async () => undefined,
});
