import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { getConfig } from '../config.ts';

let client: DynamoDBDocumentClient | undefined;

/** One document client per process, created on first use (endpoint points at the emulator locally). */
export const getDocumentClient = (): DynamoDBDocumentClient => {
  if (client) return client;
  const config = getConfig();
  const base = new DynamoDBClient({
    region: config.AWS_REGION,
    ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}),
  });
  client = DynamoDBDocumentClient.from(base, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return client;
};

/** True when a write was refused because its ConditionExpression did not hold. */
export const isConditionalCheckFailure = (err: unknown): boolean =>
  (err as { name?: string }).name === 'ConditionalCheckFailedException';
