import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { type Account, createAccountIfAbsent } from '../adapters/users-table.ts';
import { loadConfig } from '../config.ts';
import { generateApiKey, hashApiKey } from '../domain/api-key.ts';
import { closeRenderer } from '../renderer/pages.ts';
import { type AccessLogEntry, type BridgeRoute, type LambdaHandler, startApiBridge } from './api-bridge.ts';
import { createBuckets, createQueues, createTables, emulatorClients } from './aws-resources.ts';
import { type EmulatorEndpoints, type Emulators, runningEmulators, startEmulators } from './emulators.ts';
import { PROJECT_ROOT, useProjectTmpdir } from './project-tmpdir.ts';
import { type Schedule, type ScheduledHandler, startSchedule } from './scheduler.ts';
import { loadServiceDefinition, resolveEnvironment, type ServiceDefinition } from './service-definition.ts';
import { type QueuePoller, type SqsHandler, startQueuePoller } from './sqs-poller.ts';

export interface LocalStackOptions {
  /** API port on 127.0.0.1; 0 picks a free one. @default 0 */
  port?: number;
  /** Keep emulator state here across restarts; in memory when unset. */
  dataDir?: string;
  /** Seed one account per key; one key is generated when empty. */
  apiKeys?: string[];
  /** Extra environment for the handlers (test-only limits, log level). */
  env?: Record<string, string>;
  /** Override every queue's visibility timeout (seconds); tests use a few seconds, not 15 minutes. */
  queueVisibilityTimeoutSeconds?: number;
  /** Start the SQS pollers that invoke queue-triggered functions. @default true */
  pollQueues?: boolean;
  /**
   * Invoke scheduled functions at their rate (serverless.yml `schedule` events); `runScheduled`
   * invokes them on demand either way. @default true
   */
  runSchedules?: boolean;
  /** Use emulators already running (`npm run emulators`) instead of starting them in this process. */
  emulators?: EmulatorEndpoints;
  /** Called with every answer the API sends (npm start prints an access log line). */
  onAnswer?: (entry: AccessLogEntry) => void;
}

export interface LocalStack {
  url: string;
  apiKeys: string[];
  accounts: Account[];
  emulators: Emulators;
  definition: ServiceDefinition;
  /** Queue URLs and ARNs by logical id (LongjobQueue, LongjobDeadLetterQueue). */
  queues: Record<string, { url: string; arn: string }>;
  /** Invokes a scheduled function (by its serverless.yml name, e.g. `sweeper`) now; its result. */
  runScheduled(functionName: string): Promise<unknown>;
  stop(): Promise<void>;
}

export const LOCAL_STAGE = 'local';

/** One account per key; the user id derives from the key hash, so reseeding a kept dataDir is a no-op. */
const seedAccounts = async (apiKeys: string[]): Promise<Account[]> => {
  const accounts: Account[] = [];
  for (const [index, key] of apiKeys.entries()) {
    const apiKeyHash = hashApiKey(key);
    const account: Account = {
      user_id: `dev-${apiKeyHash.slice(0, 16)}`,
      api_key_hash: apiKeyHash,
      name: `local developer ${index + 1}`,
      created_at: new Date().toISOString(),
    };
    await createAccountIfAbsent(account);
    accounts.push(account);
  }
  return accounts;
};

/**
 * The generated key: a new one per start with state in memory; with a data directory, the one kept
 * there, so a restart finds its account and jobs under the same key.
 */
const devApiKey = (dataDir: string | undefined): string => {
  const file = dataDir ? join(dataDir, 'dev-api-key') : undefined;
  const kept = file && existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  if (kept) return kept;
  const key = generateApiKey('podpdf_dev');
  if (file) writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
};

/**
 * The key that wraps webhook secrets' data keys in place of KMS (there is none locally): the one kept
 * in the data directory, else one already in the environment, else a new one, kept there when there
 * is a data directory, so a restart still opens the secrets it sealed.
 */
const localSecretKey = (dataDir: string | undefined): string => {
  const file = dataDir ? join(dataDir, 'secret-key') : undefined;
  const kept = file && existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  if (kept) return kept;
  const key = process.env.PODPDF_LOCAL_SECRET_KEY || randomBytes(32).toString('base64');
  if (file) writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
};

const loadHandler = async <T>(sourceFile: string, exportName: string): Promise<T> => {
  const module = (await import(join(PROJECT_ROOT, sourceFile))) as Record<string, unknown>;
  const handler = module[exportName];
  if (typeof handler !== 'function') throw new Error(`${sourceFile} does not export ${exportName}`);
  return handler as T;
};

const loadRoutes = async (def: ServiceDefinition): Promise<BridgeRoute[]> => {
  const routes: BridgeRoute[] = [];
  for (const fn of def.functions.filter((f) => f.httpRoutes.length > 0)) {
    const handler = await loadHandler<LambdaHandler>(fn.sourceFile, fn.exportName);
    for (const route of fn.httpRoutes) {
      routes.push({
        ...route,
        functionName: `${def.service}-${def.stage}-${fn.name}`,
        timeoutSeconds: fn.timeoutSeconds,
        handler,
      });
    }
  }
  return routes;
};

const startPollers = async (
  def: ServiceDefinition,
  queues: Record<string, { url: string; arn: string }>,
  sqs: ReturnType<typeof emulatorClients>['sqs'],
): Promise<QueuePoller[]> => {
  const pollers: QueuePoller[] = [];
  for (const fn of def.functions) {
    for (const trigger of fn.queueTriggers) {
      const queue = queues[trigger.queue];
      if (!queue) throw new Error(`${fn.name}: no queue ${trigger.queue} in resources.yml`);
      pollers.push(
        startQueuePoller({
          sqs,
          queueUrl: queue.url,
          queueArn: queue.arn,
          region: def.region,
          functionName: `${def.service}-${def.stage}-${fn.name}`,
          handler: await loadHandler<SqsHandler>(fn.sourceFile, fn.exportName),
          batchSize: trigger.batchSize,
          reportBatchItemFailures: trigger.reportBatchItemFailures,
          timeoutSeconds: fn.timeoutSeconds,
        }),
      );
    }
  }
  return pollers;
};

/** One schedule per function with `schedule` events (the first rate, when it lists several). */
const startSchedules = async (def: ServiceDefinition, start: boolean): Promise<Map<string, Schedule>> => {
  const schedules = new Map<string, Schedule>();
  for (const fn of def.functions) {
    const [rate] = fn.schedules;
    if (!rate) continue;
    schedules.set(
      fn.name,
      startSchedule({
        functionName: `${def.service}-${def.stage}-${fn.name}`,
        region: def.region,
        handler: await loadHandler<ScheduledHandler>(fn.sourceFile, fn.exportName),
        everyMs: rate.everyMs,
        timeoutSeconds: fn.timeoutSeconds,
        start,
      }),
    );
  }
  return schedules;
};

/**
 * The whole of podpdf on this machine: emulators, tables from resources.yml, seeded accounts, and the
 * real handlers from serverless.yml behind an API Gateway bridge. Handlers read their configuration
 * from process.env, so one stack runs per process.
 */
export const startLocalStack = async (options: LocalStackOptions = {}): Promise<LocalStack> => {
  useProjectTmpdir();
  const def = loadServiceDefinition(LOCAL_STAGE);
  const emulators = options.emulators
    ? runningEmulators(options.emulators)
    : await startEmulators(options.dataDir);
  Object.assign(process.env, {
    AWS_REGION: def.region,
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
  });
  const clients = emulatorClients(def.region, emulators.awsEndpoint);
  let server: Server | undefined;
  let pollers: QueuePoller[] = [];
  let schedules = new Map<string, Schedule>();
  try {
    for (const line of await createTables(def, emulators.dynamodbEndpoint)) console.warn(`[local] ${line}`);
    await createBuckets(def, clients.s3);
    const queues = await createQueues(def, clients.sqs, options.queueVisibilityTimeoutSeconds);
    const queueUrls = Object.fromEntries(Object.entries(queues).map(([id, q]) => [id, q.url]));
    const environment = resolveEnvironment(def, queueUrls);
    Object.assign(process.env, {
      DYNAMODB_ENDPOINT: emulators.dynamodbEndpoint,
      S3_ENDPOINT: emulators.awsEndpoint,
      SQS_ENDPOINT: emulators.awsEndpoint,
      PODPDF_LOCAL_SECRET_KEY: localSecretKey(options.dataDir),
      ...environment,
      ...options.env,
    });
    // Every setting a handler reads is checked now, not on the first request.
    loadConfig(process.env);
    const apiKeys = options.apiKeys?.length ? options.apiKeys : [devApiKey(options.dataDir)];
    const accounts = await seedAccounts(apiKeys);
    const bridge = await startApiBridge(await loadRoutes(def), options.port ?? 0, options.onAnswer);
    server = bridge.server;
    if (options.pollQueues ?? true) pollers = await startPollers(def, queues, clients.sqs);
    schedules = await startSchedules(def, options.runSchedules ?? true);
    const running = server;
    const runningPollers = pollers;
    const runningSchedules = [...schedules.values()];
    return {
      url: bridge.url,
      apiKeys,
      accounts,
      emulators,
      definition: def,
      queues,
      runScheduled: (functionName) => {
        const schedule = schedules.get(functionName);
        if (!schedule) throw new Error(`${functionName} has no schedule event in serverless.yml`);
        return schedule.runNow();
      },
      stop: async () => {
        running.closeAllConnections();
        await new Promise<void>((resolve) => running.close(() => resolve()));
        await Promise.all([...runningPollers, ...runningSchedules].map((p) => p.stop()));
        await closeRenderer();
        clients.sqs.destroy();
        clients.s3.destroy();
        await emulators.stop();
      },
    };
  } catch (err) {
    server?.close();
    await Promise.all([...pollers, ...schedules.values()].map((p) => p.stop()));
    clients.sqs.destroy();
    clients.s3.destroy();
    await emulators.stop();
    throw err;
  }
};
