import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutBucketLifecycleConfigurationCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  bucketDefinitions,
  queueDefinitions,
  type ServiceDefinition,
  tableDefinitions,
} from './service-definition.ts';

/** Creates the tables of resources.yml that do not exist yet (a kept data dir already has them). */
export const createTables = async (def: ServiceDefinition, endpoint: string): Promise<void> => {
  const client = new DynamoDBClient({ endpoint, region: def.region });
  try {
    const existing = new Set((await client.send(new ListTablesCommand({}))).TableNames ?? []);
    for (const table of tableDefinitions(def)) {
      if (!existing.has(table.TableName ?? '')) await client.send(new CreateTableCommand(table));
    }
  } finally {
    client.destroy();
  }
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
