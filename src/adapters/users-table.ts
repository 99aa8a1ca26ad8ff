import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { getConfig } from '../config.ts';
import { getDocumentClient } from './dynamodb.ts';

/** GSI on `api_key_hash`: keys are stored only as SHA-256 hex digests. */
export const API_KEY_INDEX = 'ApiKeyHashIndex';

export interface Account {
  user_id: string;
  api_key_hash: string;
  name: string;
  created_at: string;
  webhook_url?: string;
}

export const findAccountByKeyHash = async (apiKeyHash: string): Promise<Account | undefined> => {
  const result = await getDocumentClient().send(
    new QueryCommand({
      TableName: getConfig().USERS_TABLE,
      IndexName: API_KEY_INDEX,
      KeyConditionExpression: 'api_key_hash = :h',
      ExpressionAttributeValues: { ':h': apiKeyHash },
      Limit: 1,
    }),
  );
  return result.Items?.[0] as Account | undefined;
};

export const getAccount = async (userId: string): Promise<Account | undefined> => {
  const result = await getDocumentClient().send(
    new GetCommand({ TableName: getConfig().USERS_TABLE, Key: { user_id: userId } }),
  );
  return result.Item as Account | undefined;
};

/** Creates or replaces an account (seeding; idempotent for a fixed user_id). */
export const putAccount = async (account: Account): Promise<void> => {
  await getDocumentClient().send(new PutCommand({ TableName: getConfig().USERS_TABLE, Item: account }));
};
