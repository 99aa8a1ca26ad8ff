import type { Server } from 'node:http';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { type Account, putAccount } from '../adapters/users-table.ts';
import { generateApiKey, hashApiKey } from '../domain/api-key.ts';
import { closeBrowser } from '../renderer/browser.ts';
import { type BridgeRoute, type LambdaHandler, startApiBridge } from './api-bridge.ts';
import { type Emulators, startEmulators } from './emulators.ts';
import { PROJECT_ROOT, useProjectTmpdir } from './project-tmpdir.ts';
import {
  loadServiceDefinition,
  resolveEnvironment,
  type ServiceDefinition,
  tableDefinitions,
} from './service-definition.ts';

export interface LocalStackOptions {
  /** API port on 127.0.0.1; 0 picks a free one. @default 0 */
  port?: number;
  /** Keep emulator state here across restarts; in memory when unset. */
  dataDir?: string;
  /** Seed one account per key; one key is generated when empty. */
  apiKeys?: string[];
  /** Extra environment for the handlers (test-only limits, log level). */
  env?: Record<string, string>;
}

export interface LocalStack {
  url: string;
  apiKeys: string[];
  accounts: Account[];
  emulators: Emulators;
  definition: ServiceDefinition;
  stop(): Promise<void>;
}

export const LOCAL_STAGE = 'local';

const createTables = async (def: ServiceDefinition, endpoint: string): Promise<void> => {
  const client = new DynamoDBClient({ endpoint, region: def.region });
  const existing = new Set((await client.send(new ListTablesCommand({}))).TableNames ?? []);
  for (const table of tableDefinitions(def)) {
    if (!existing.has(table.TableName ?? '')) await client.send(new CreateTableCommand(table));
  }
  client.destroy();
};

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
    await putAccount(account);
    accounts.push(account);
  }
  return accounts;
};

const loadRoutes = async (def: ServiceDefinition): Promise<BridgeRoute[]> => {
  const routes: BridgeRoute[] = [];
  for (const fn of def.functions) {
    const module = (await import(join(PROJECT_ROOT, fn.sourceFile))) as Record<string, LambdaHandler>;
    const handler = module[fn.exportName];
    if (typeof handler !== 'function') throw new Error(`${fn.sourceFile} does not export ${fn.exportName}`);
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

/**
 * The whole of podpdf on this machine: emulators, tables from resources.yml, seeded accounts, and the
 * real handlers from serverless.yml behind an API Gateway bridge. Handlers read their configuration
 * from process.env, so one stack runs per process.
 */
export const startLocalStack = async (options: LocalStackOptions = {}): Promise<LocalStack> => {
  useProjectTmpdir();
  const def = loadServiceDefinition(LOCAL_STAGE);
  const emulators = await startEmulators(options.dataDir);
  const { NODE_OPTIONS: _ignored, ...environment } = resolveEnvironment(def);
  Object.assign(process.env, {
    AWS_REGION: def.region,
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
    DYNAMODB_ENDPOINT: emulators.dynamodbEndpoint,
    ...environment,
    ...options.env,
  });
  let server: Server | undefined;
  try {
    await createTables(def, emulators.dynamodbEndpoint);
    const apiKeys = options.apiKeys?.length ? options.apiKeys : [generateApiKey('podpdf_dev')];
    const accounts = await seedAccounts(apiKeys);
    const bridge = await startApiBridge(await loadRoutes(def), options.port ?? 0);
    server = bridge.server;
    const running = server;
    return {
      url: bridge.url,
      apiKeys,
      accounts,
      emulators,
      definition: def,
      stop: async () => {
        running.closeAllConnections();
        await new Promise<void>((resolve) => running.close(() => resolve()));
        await closeBrowser();
        await emulators.stop();
      },
    };
  } catch (err) {
    server?.close();
    await emulators.stop();
    throw err;
  }
};
