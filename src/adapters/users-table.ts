import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { getConfig } from '../config.ts';
import { getDocumentClient, isConditionalCheckFailure } from './dynamodb.ts';

/** GSI on `api_key_hash`: keys are stored only as SHA-256 hex digests. */
export const API_KEY_INDEX = 'ApiKeyHashIndex';

export interface Account {
  user_id: string;
  api_key_hash: string;
  name: string;
  created_at: string;
  /** Default webhook for the account's long jobs. */
  webhook_url?: string;
  /** Standard Webhooks signing secret (`whsec_…`); shown to the account once, when created. */
  webhook_secret?: string;
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

/** Creates an account unless one with this user_id exists (seeding is idempotent). */
export const createAccountIfAbsent = async (account: Account): Promise<void> => {
  try {
    await getDocumentClient().send(
      new PutCommand({
        TableName: getConfig().USERS_TABLE,
        Item: account,
        ConditionExpression: 'attribute_not_exists(user_id)',
      }),
    );
  } catch (err) {
    if (!isConditionalCheckFailure(err)) throw err;
  }
};

/** Sets the fields given and removes those passed as null. Returns the updated account. */
export const updateWebhookSettings = async (
  userId: string,
  changes: { webhook_url?: string | null; webhook_secret?: string | null },
): Promise<Account> => {
  const sets: string[] = [];
  const removes: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    if (value === null) removes.push(field);
    else {
      sets.push(`${field} = :${field}`);
      values[`:${field}`] = value;
    }
  }
  const expression = [
    sets.length ? `SET ${sets.join(', ')}` : '',
    removes.length ? `REMOVE ${removes.join(', ')}` : '',
  ]
    .join(' ')
    .trim();
  const result = await getDocumentClient().send(
    new UpdateCommand({
      TableName: getConfig().USERS_TABLE,
      Key: { user_id: userId },
      UpdateExpression: expression,
      ConditionExpression: 'attribute_exists(user_id)',
      ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
      ReturnValues: 'ALL_NEW',
    }),
  );
  return result.Attributes as Account;
};
