import { ScanCommand, type ScanCommandInput, type ScanCommandOutput } from '@aws-sdk/lib-dynamodb';
import { getConfig } from '../config.ts';
import { JobStatus } from '../domain/job.ts';
import { getDocumentClient } from './dynamodb.ts';
import { Expressions } from './expressions.ts';
import { OWNER_ACTIVE_INDEX, updateJobIf } from './jobs-table.ts';

/** A queued or processing job as the sparse active index holds it (KEYS_ONLY: keys and created_at). */
export interface ActiveJobKey {
  job_id: string;
  owner: string;
  created_at: string;
}

/** One Scan page of the jobs table; the table name is added here. Tests pass a fake. */
export type ScanJobs = (
  input: Omit<ScanCommandInput, 'TableName'>,
) => Promise<Pick<ScanCommandOutput, 'Items' | 'LastEvaluatedKey'>>;

const scanJobsTable: ScanJobs = (input) =>
  getDocumentClient().send(new ScanCommand({ TableName: getConfig().JOBS_TABLE, ...input }));

/**
 * The active (queued or processing) jobs created before `createdBefore` (ISO 8601), `max` at most.
 * A Scan of the sparse OwnerActiveIndex reads only active jobs, however many finished ones the table
 * holds, and needs no index of its own; its rows are keys only (the index is KEYS_ONLY, which keeps
 * every status and lease write off it), so the caller reads each candidate's row.
 */
export const scanActiveJobs = async (
  createdBefore: string,
  max: number,
  scan: ScanJobs = scanJobsTable,
): Promise<ActiveJobKey[]> => {
  const found: ActiveJobKey[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const result = await scan({
      IndexName: OWNER_ACTIVE_INDEX,
      FilterExpression: '#c < :before',
      ExpressionAttributeNames: { '#c': 'created_at' },
      ExpressionAttributeValues: { ':before': createdBefore },
      ...(startKey ? { ExclusiveStartKey: startKey } : {}),
    });
    for (const item of result.Items ?? []) {
      found.push({
        job_id: String(item.job_id),
        owner: String(item.active_owner),
        created_at: String(item.created_at),
      });
      if (found.length >= max) return found;
    }
    startKey = result.LastEvaluatedKey;
  } while (startKey);
  return found;
};

/**
 * Records that the sweeper is about to send again the message of a job still queued, never claimed,
 * with its input in S3, and not requeued since `notSince` (ISO 8601). The condition makes one sweep
 * send it, however many run at once. Undefined when the row no longer qualifies.
 */
export const markRequeued = (jobId: string, now: number, notSince: string) => {
  const x = new Expressions();
  const condition = [
    `${x.name('status')} = ${x.value(JobStatus.QUEUED)}`,
    `attribute_not_exists(${x.name('attempts')})`,
    `attribute_exists(${x.name('input_key')})`,
    `(attribute_not_exists(${x.name('requeued_at')}) OR ${x.name('requeued_at')} < ${x.value(notSince)})`,
  ].join(' AND ');
  return updateJobIf(jobId, x, condition, x.update({ set: { requeued_at: new Date(now).toISOString() } }));
};

/** Takes back a mark whose send failed, so the next sweep sends at once; only if it is still ours. */
export const unmarkRequeued = (jobId: string, markedAt: string) => {
  const x = new Expressions();
  return updateJobIf(
    jobId,
    x,
    `${x.name('requeued_at')} = ${x.value(markedAt)}`,
    x.update({ remove: ['requeued_at'] }),
  );
};
