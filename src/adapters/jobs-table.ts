import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { getConfig } from '../config.ts';
import type { JobRecord } from '../domain/job.ts';
import { getDocumentClient } from './dynamodb.ts';

/** GSI listing an account's jobs newest first. */
export const OWNER_CREATED_INDEX = 'OwnerCreatedAtIndex';

/** Writes a job row; `job_id` is new, so the write refuses to replace an existing row. */
export const insertJob = async (job: JobRecord): Promise<void> => {
  await getDocumentClient().send(
    new PutCommand({
      TableName: getConfig().JOBS_TABLE,
      Item: job,
      ConditionExpression: 'attribute_not_exists(job_id)',
    }),
  );
};

export const getJob = async (jobId: string): Promise<JobRecord | undefined> => {
  const result = await getDocumentClient().send(
    new GetCommand({ TableName: getConfig().JOBS_TABLE, Key: { job_id: jobId }, ConsistentRead: true }),
  );
  return result.Item as JobRecord | undefined;
};
