import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { getConfig } from '../config.ts';
import { getDocumentClient, isConditionalCheckFailure } from './dynamodb.ts';
import { Expressions } from './expressions.ts';

/** GSI on `api_key_hash`: keys are stored only as SHA-256 hex digests. */
export const API_KEY_INDEX = 'ApiKeyHashIndex';

export interface Account {
  user_id: string;
  api_key_hash: string;
  name: string;
  created_at: string;
  /** Default webhook for the account's long jobs. */
  webhook_url?: string;
  /**
   * Standard Webhooks signing secret (`whsec_…`), shown to the account once, when created; stored
   * sealed (domain/sealed-secret.ts), or in clear when written before encryption at rest.
   */
  webhook_secret?: string;
  /** Set when a receiver answered 410 Gone to the default webhook, which was then turned off. */
  webhook_disabled?: { url: string; at: string; job_id: string };
  /** Overrides of the deployment's default plan (domain/plan.ts), set by an operator. */
  plan?: Record<string, unknown>;
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
  changes: { webhook_url?: string | null; webhook_secret?: string | null; webhook_disabled?: null },
): Promise<Account> => {
  const x = new Expressions();
  const update = x.update({
    set: Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== null)),
    remove: Object.entries(changes)
      .filter(([, value]) => value === null)
      .map(([field]) => field),
  });
  const result = await getDocumentClient().send(
    new UpdateCommand({
      TableName: getConfig().USERS_TABLE,
      Key: { user_id: userId },
      UpdateExpression: update,
      ConditionExpression: `attribute_exists(${x.name('user_id')})`,
      ReturnValues: 'ALL_NEW',
      ...x.attributes(),
    }),
  );
  return result.Attributes as Account;
};

/** One conditional write to an account's row; false when its condition no longer holds. */
const updateAccountIf = async (userId: string, x: Expressions, update: string, condition: string) => {
  try {
    await getDocumentClient().send(
      new UpdateCommand({
        TableName: getConfig().USERS_TABLE,
        Key: { user_id: userId },
        UpdateExpression: update,
        ConditionExpression: condition,
        ...x.attributes(),
      }),
    );
    return true;
  } catch (err) {
    if (isConditionalCheckFailure(err)) return false;
    throw err;
  }
};

/**
 * Turns the account's default webhook off because its receiver answered 410 Gone: only while it is
 * still `url` (a URL set since stays on). The record shows in GET /accounts/me until a new one is set.
 */
export const disableWebhook = (
  userId: string,
  disabled: { url: string; at: string; job_id: string },
): Promise<boolean> => {
  const x = new Expressions();
  return updateAccountIf(
    userId,
    x,
    x.update({ set: { webhook_disabled: disabled }, remove: ['webhook_url'] }),
    `${x.name('webhook_url')} = ${x.value(disabled.url)}`,
  );
};

/**
 * Replaces the stored signing secret only while it is still `expected`; false when it changed in
 * between (a rotation), which keeps the newer one.
 */
export const replaceWebhookSecret = (userId: string, expected: string, next: string): Promise<boolean> => {
  const x = new Expressions();
  const secret = x.name('webhook_secret');
  return updateAccountIf(userId, x, `SET ${secret} = ${x.value(next)}`, `${secret} = ${x.value(expected)}`);
};
