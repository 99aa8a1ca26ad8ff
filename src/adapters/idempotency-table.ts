import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { getConfig } from '../config.ts';
import { getDocumentClient, isConditionalCheckFailure } from './dynamodb.ts';

export interface IdempotencyRecord {
  /** `<owner>#<Idempotency-Key>`: keys are scoped to the account. */
  idempotency_key: string;
  job_id: string;
  /** SHA-256 of the validated request, to tell a replay from a different request. */
  request_hash: string;
  /** Epoch ms; the record answers for 24 h after it. */
  created_at: number;
  ttl: number;
}

/**
 * Stores `record` unless a live one holds the key; returns the live one in that case. DynamoDB TTL
 * deletes lazily, so a record past its 24 h is treated as absent and replaced.
 */
export const putIdempotencyRecord = async (
  record: IdempotencyRecord,
  windowMs: number,
): Promise<IdempotencyRecord | undefined> => {
  try {
    await getDocumentClient().send(
      new PutCommand({
        TableName: getConfig().IDEMPOTENCY_TABLE,
        Item: record,
        ConditionExpression: 'attribute_not_exists(idempotency_key) OR created_at < :stale',
        ExpressionAttributeValues: { ':stale': record.created_at - windowMs },
      }),
    );
    return undefined;
  } catch (err) {
    if (!isConditionalCheckFailure(err)) throw err;
  }
  const existing = await getDocumentClient().send(
    new GetCommand({
      TableName: getConfig().IDEMPOTENCY_TABLE,
      Key: { idempotency_key: record.idempotency_key },
      ConsistentRead: true,
    }),
  );
  return existing.Item as IdempotencyRecord | undefined;
};

/** Frees a key whose submission failed, so the client's retry is not answered with the failure. */
export const deleteIdempotencyRecord = async (key: string, jobId: string): Promise<void> => {
  await getDocumentClient().send(
    new DeleteCommand({
      TableName: getConfig().IDEMPOTENCY_TABLE,
      Key: { idempotency_key: key },
      ConditionExpression: 'job_id = :job',
      ExpressionAttributeValues: { ':job': jobId },
    }),
  );
};
