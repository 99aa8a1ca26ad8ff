import { QueryCommand, type QueryCommandInput, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { getConfig } from '../config.ts';
import type { JobRecord, JobStatus } from '../domain/job.ts';
import type { Position } from '../domain/jobs-cursor.ts';
import { getDocumentClient } from './dynamodb.ts';
import { OWNER_ACTIVE_INDEX, OWNER_CREATED_INDEX, OWNER_UPDATED_INDEX } from './jobs-table.ts';

/**
 * Rows one Query reads when a status filter may discard most of them. DynamoDB applies `Limit`
 * before the filter, so asking only for the jobs still missing would read one row per Query once a
 * page is nearly full.
 */
export const FILTERED_QUERY_ROWS = 100;

/**
 * Queries one listing may issue, however few rows match the filter: bounds a request's latency and
 * read cost. A listing that hits it returns the jobs it found (maybe none) and a cursor to go on.
 */
export const MAX_LISTING_QUERIES = 5;

/** One Query on the jobs table; the table name is added here. Tests pass a fake. */
export type QueryJobs = (
  input: Omit<QueryCommandInput, 'TableName'>,
) => Promise<Pick<QueryCommandOutput, 'Items' | 'Count' | 'LastEvaluatedKey'>>;

const queryJobsTable: QueryJobs = (input) =>
  getDocumentClient().send(new QueryCommand({ TableName: getConfig().JOBS_TABLE, ...input }));

export interface JobPage {
  jobs: JobRecord[];
  /** Where the next page starts, when there may be more. */
  next?: Position;
}

const positionOf = (row: Record<string, unknown>, byChange: boolean): Position =>
  byChange
    ? { updated_at: String(row.updated_at), job_id: String(row.job_id) }
    : { created_at: String(row.created_at), job_id: String(row.job_id) };

/**
 * The owner's jobs newest first, `limit` at most, starting after `after`. With `since`, the jobs
 * whose `updated_at` is at or after it instead, oldest change first (so a poller that stops part way
 * and goes on from the newest change it saw misses nothing). Unfiltered, a Query asks for the jobs
 * still missing; with `status`, each Query reads a fixed FILTERED_QUERY_ROWS rows and the page ends at
 * its last returned job when a Query matched more than fit. Never more than MAX_LISTING_QUERIES
 * Queries. The key condition is always `owner`, so `after` cannot leave it; `after` must be a position
 * of the same order (a ChangePosition with `since`).
 *
 * @example
 * const { jobs, next } = await listJobs(caller.user_id, { limit: 20, status: 'failed' });
 */
export const listJobs = async (
  owner: string,
  options: { limit: number; status?: JobStatus; after?: Position; since?: string },
  query: QueryJobs = queryJobsTable,
): Promise<JobPage> => {
  const byChange = options.since !== undefined;
  const names: Record<string, string> = { '#o': 'owner' };
  const values: Record<string, unknown> = { ':owner': owner };
  let keyCondition = '#o = :owner';
  if (byChange) {
    names['#u'] = 'updated_at';
    values[':since'] = options.since;
    keyCondition += ' AND #u >= :since';
  }
  if (options.status) {
    names['#s'] = 'status';
    values[':status'] = options.status;
  }
  const jobs: JobRecord[] = [];
  let startKey: Record<string, unknown> | undefined = options.after && { ...options.after, owner };
  for (let queries = 0; queries < MAX_LISTING_QUERIES && jobs.length < options.limit; queries += 1) {
    const result = await query({
      IndexName: byChange ? OWNER_UPDATED_INDEX : OWNER_CREATED_INDEX,
      KeyConditionExpression: keyCondition,
      ScanIndexForward: byChange,
      Limit: options.status ? FILTERED_QUERY_ROWS : options.limit - jobs.length,
      ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      ...(options.status ? { FilterExpression: '#s = :status' } : {}),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
    const items = (result.Items ?? []) as JobRecord[];
    const room = options.limit - jobs.length;
    if (items.length > room) {
      // Rows after the last one shown were read but not shown: the next page starts right after it.
      jobs.push(...items.slice(0, room));
      return { jobs, next: positionOf(items[room - 1] as unknown as Record<string, unknown>, byChange) };
    }
    jobs.push(...items);
    startKey = result.LastEvaluatedKey;
    if (!startKey) return { jobs };
  }
  return startKey ? { jobs, next: positionOf(startKey, byChange) } : { jobs };
};

/** Queued plus processing jobs of the owner, counted on the sparse active index. */
export const countActiveJobs = async (owner: string, query: QueryJobs = queryJobsTable): Promise<number> => {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const result = await query({
      IndexName: OWNER_ACTIVE_INDEX,
      KeyConditionExpression: 'active_owner = :owner',
      ExpressionAttributeValues: { ':owner': owner },
      Select: 'COUNT',
      ...(startKey ? { ExclusiveStartKey: startKey } : {}),
    });
    count += result.Count ?? 0;
    startKey = result.LastEvaluatedKey;
  } while (startKey);
  return count;
};

/** Render times (ms) of the owner's most recent completed jobs (quick or long), newest first. */
export const recentRenderDurations = async (owner: string, sample = 20): Promise<number[]> => {
  const result = await queryJobsTable({
    IndexName: OWNER_CREATED_INDEX,
    KeyConditionExpression: '#o = :owner',
    FilterExpression: 'attribute_exists(render_ms)',
    ProjectionExpression: 'render_ms',
    ExpressionAttributeNames: { '#o': 'owner' },
    ExpressionAttributeValues: { ':owner': owner },
    ScanIndexForward: false,
    Limit: sample,
  });
  return (result.Items ?? []).map((item) => Number(item.render_ms));
};
