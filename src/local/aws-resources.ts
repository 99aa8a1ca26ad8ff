import { setTimeout as sleep } from 'node:timers/promises';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutBucketLifecycleConfigurationCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  bucketDefinitions,
  queueDefinitions,
  type ServiceDefinition,
  tableDefinitions,
} from './service-definition.ts';

/** Every row of `table`, as stored. */
const scanAll = async (client: DynamoDBClient, table: string) => {
  const rows: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    rows.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return rows;
};

/** Writes `rows` into `table`, 25 a request, until DynamoDB has taken every one. */
const writeAll = async (client: DynamoDBClient, table: string, rows: Record<string, AttributeValue>[]) => {
  for (let i = 0; i < rows.length; i += 25) {
    let requests = rows.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    while (requests.length) {
      const result = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: requests } }));
      requests = (result.UnprocessedItems?.[table] ?? []) as typeof requests;
    }
  }
};

/** Waits until `table` is gone (`status` undefined) or ACTIVE: dynalite finishes both a moment later. */
const waitForTable = async (client: DynamoDBClient, table: string, status: 'ACTIVE' | undefined) => {
  for (let tries = 0; tries < 500; tries += 1) {
    const now = await client
      .send(new DescribeTableCommand({ TableName: table }))
      .then((result) => result.Table?.TableStatus)
      .catch((err: { name?: string }) => {
        if (err.name === 'ResourceNotFoundException') return undefined;
        throw err;
      });
    if (now === status) return;
    await sleep(10);
  }
  throw new Error(`${table} did not become ${status ?? 'deleted'}`);
};

/**
 * The indexes of `table` (as resources.yml defines it) that the existing table lacks: a kept data dir
 * may hold a table created from an older resources.yml.
 */
const missingIndexes = async (client: DynamoDBClient, table: CreateTableCommandInput): Promise<string[]> => {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: table.TableName }));
  const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  return (table.GlobalSecondaryIndexes ?? [])
    .map((index) => index.IndexName ?? '')
    .filter((name) => !present.has(name));
};

/**
 * Creates the tables of resources.yml that do not exist yet (a kept data dir already has them). A
 * kept table without an index resources.yml has gained since is rebuilt, since dynalite cannot add an
 * index to a table: its rows are read, the table is created anew and the rows written back. Returns a
 * line for each table rebuilt, for the caller to show.
 */
export const createTables = async (def: ServiceDefinition, endpoint: string): Promise<string[]> => {
  const client = new DynamoDBClient({ endpoint, region: def.region });
  const rebuilt: string[] = [];
  try {
    const existing = new Set((await client.send(new ListTablesCommand({}))).TableNames ?? []);
    for (const table of tableDefinitions(def)) {
      const name = table.TableName ?? '';
      if (!existing.has(name)) {
        await client.send(new CreateTableCommand(table));
        continue;
      }
      const missing = await missingIndexes(client, table);
      if (missing.length === 0) continue;
      const rows = await scanAll(client, name);
      await client.send(new DeleteTableCommand({ TableName: name }));
      await waitForTable(client, name, undefined);
      await client.send(new CreateTableCommand(table));
      await waitForTable(client, name, 'ACTIVE');
      await writeAll(client, name, rows);
      rebuilt.push(`${name}: rebuilt with ${rows.length} rows to add ${missing.join(', ')}`);
    }
  } finally {
    client.destroy();
  }
  return rebuilt;
};

export interface CreatedQueue {
  url: string;
  arn: string;
}

/**
 * Creates the queues of resources.yml with their visibility timeout, retention and redrive policy.
 * `visibilityTimeoutSeconds` overrides every queue's (tests do not wait 15 minutes for a retry).
 */
export const createQueues = async (
  def: ServiceDefinition,
  sqs: SQSClient,
  visibilityTimeoutSeconds?: number,
): Promise<Record<string, CreatedQueue>> => {
  const created: Record<string, CreatedQueue> = {};
  for (const queue of queueDefinitions(def)) {
    const deadLetter = queue.redrive ? created[queue.redrive.deadLetterQueue] : undefined;
    if (queue.redrive && !deadLetter)
      throw new Error(`${queue.logicalId}: dead-letter queue not created first`);
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({
        QueueName: queue.name,
        Attributes: {
          VisibilityTimeout: String(visibilityTimeoutSeconds ?? queue.visibilityTimeoutSeconds),
          MessageRetentionPeriod: String(queue.retentionSeconds),
          ...(queue.redrive && deadLetter
            ? {
                RedrivePolicy: JSON.stringify({
                  deadLetterTargetArn: deadLetter.arn,
                  maxReceiveCount: queue.redrive.maxReceiveCount,
                }),
              }
            : {}),
        },
      }),
    );
    const url = QueueUrl ?? '';
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
    );
    created[queue.logicalId] = { url, arn: Attributes?.QueueArn ?? '' };
  }
  return created;
};

/** Creates the buckets of resources.yml with their lifecycle rule (fauxqs stores it; expiry is not run). */
export const createBuckets = async (def: ServiceDefinition, s3: S3Client): Promise<void> => {
  for (const bucket of bucketDefinitions(def)) {
    try {
      await s3.send(new CreateBucketCommand({ Bucket: bucket.name }));
    } catch (err) {
      const name = (err as { name?: string }).name;
      if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw err;
    }
    if (bucket.expirationDays) {
      await s3.send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket: bucket.name,
          LifecycleConfiguration: {
            Rules: [
              {
                ID: 'expire',
                Status: 'Enabled',
                Filter: { Prefix: '' },
                Expiration: { Days: bucket.expirationDays },
              },
            ],
          },
        }),
      );
    }
  }
};

export const emulatorClients = (region: string, awsEndpoint: string) => ({
  sqs: new SQSClient({ region, endpoint: awsEndpoint }),
  s3: new S3Client({ region, endpoint: awsEndpoint, forcePathStyle: true }),
});
