import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  countActiveJobs,
  FILTERED_QUERY_ROWS,
  type JobPage,
  listJobs,
  MAX_LISTING_QUERIES,
  type QueryJobs,
} from '../../../src/adapters/jobs-listing.ts';
import type { JobRecord, JobStatus } from '../../../src/domain/job.ts';
import type { ListPosition, Position } from '../../../src/domain/jobs-cursor.ts';

type Row = Pick<JobRecord, 'job_id' | 'owner' | 'created_at' | 'status'>;

const BASE = Date.parse('2025-05-01T00:00:00.000Z');
const BASE_ISO = new Date(BASE).toISOString();

/** `count` rows of `owner`, newest first, each status chosen by `statusOf(index)`. */
const rowsOf = (owner: string, count: number, statusOf: (i: number) => JobStatus): Row[] =>
  Array.from({ length: count }, (_, i) => ({
    job_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    owner,
    created_at: new Date(BASE - i * 1000).toISOString(),
    status: statusOf(i),
  }));

/** Newest first: created_at descending, then job_id descending, as the index orders equal sort keys. */
const before = (a: { created_at: string; job_id: string }, b: { created_at: string; job_id: string }) =>
  a.created_at === b.created_at ? a.job_id > b.job_id : a.created_at > b.created_at;

/**
 * The OwnerCreatedAtIndex Query as DynamoDB answers it: key condition, ExclusiveStartKey, then Limit
 * rows read, then the filter; LastEvaluatedKey whenever Limit rows were read. Records every input.
 */
const fakeIndex = (rows: Row[]) => {
  const calls: Array<Parameters<QueryJobs>[0]> = [];
  const query: QueryJobs = async (input) => {
    calls.push(input);
    const owner = input.ExpressionAttributeValues?.[':owner'];
    const status = input.ExpressionAttributeValues?.[':status'];
    const start = input.ExclusiveStartKey as (ListPosition & { owner: string }) | undefined;
    if (start && start.owner !== owner)
      throw new Error('ValidationException: the start key is outside the key condition');
    const ordered = rows.filter((r) => r.owner === owner).sort((a, b) => (before(a, b) ? -1 : 1));
    const remaining = start ? ordered.filter((r) => before(start, r)) : ordered;
    const read = remaining.slice(0, input.Limit ?? remaining.length);
    const last = read.at(-1);
    return {
      Items: read.filter((r) => status === undefined || r.status === status),
      ...(last && read.length === input.Limit
        ? { LastEvaluatedKey: { owner: last.owner, created_at: last.created_at, job_id: last.job_id } }
        : {}),
    };
  };
  return { query, calls };
};

/** Every page of a listing, following `next` as a client follows next_cursor, with each page's Query count. */
const allPages = async (
  rows: Row[],
  owner: string,
  options: { limit: number; status?: JobStatus },
): Promise<{ ids: string[]; pages: JobPage[]; queriesPerPage: number[] }> => {
  const { query, calls } = fakeIndex(rows);
  const pages: JobPage[] = [];
  const queriesPerPage: number[] = [];
  let after: Position | undefined;
  do {
    const issued = calls.length;
    const page = await listJobs(owner, { ...options, ...(after ? { after } : {}) }, query);
    queriesPerPage.push(calls.length - issued);
    pages.push(page);
    after = page.next;
  } while (after && pages.length < 1000);
  return { ids: pages.flatMap((p) => p.jobs.map((j) => j.job_id)), pages, queriesPerPage };
};

describe('jobs listing', () => {
  it('reads fixed-size pages under a status filter instead of one Query per row', async () => {
    // 248 jobs, 20 of them failed and the first 19 of those near the top: the case that used to read
    // the rest of the index one row per Query.
    const rows = rowsOf('a', 248, (i) => (i < 19 || i === 247 ? 'failed' : 'completed'));
    const { query, calls } = fakeIndex(rows);
    const page = await listJobs('a', { limit: 20, status: 'failed' }, query);
    assert.equal(page.jobs.length, 20);
    assert.equal(calls.length, Math.ceil(248 / FILTERED_QUERY_ROWS));
    assert.ok(calls.every((c) => c.Limit === FILTERED_QUERY_ROWS && c.FilterExpression === '#s = :status'));
  });

  it('returns every match exactly once, in order, across pages of a status filter', async () => {
    const rows = rowsOf('a', 250, (i) => (i % 5 === 0 ? 'failed' : 'completed'));
    const expected = rows.filter((r) => r.status === 'failed').map((r) => r.job_id);
    for (const limit of [1, 7, 20, 50, 100]) {
      const { ids, pages, queriesPerPage } = await allPages(rows, 'a', { limit, status: 'failed' });
      assert.deepEqual(ids, expected, `limit ${limit}`);
      assert.ok(pages.every((p) => p.jobs.length <= limit));
      assert.ok(Math.max(...queriesPerPage) <= MAX_LISTING_QUERIES, `limit ${limit}: ${queriesPerPage}`);
    }
  });

  it('bounds the Queries of a request when matches are sparse, and resumes where it stopped', async () => {
    const rows = rowsOf('a', 1200, (i) => (i === 1100 || i === 3 ? 'timeout' : 'completed'));
    const { ids, pages, queriesPerPage } = await allPages(rows, 'a', { limit: 20, status: 'timeout' });
    assert.deepEqual(ids, [rows[3]?.job_id, rows[1100]?.job_id]);
    assert.ok(
      queriesPerPage.every((n) => n <= MAX_LISTING_QUERIES),
      String(queriesPerPage),
    );
    assert.deepEqual(
      pages.map((p) => p.jobs.length),
      [1, 0, 1],
    );
  });

  it('asks for just the missing jobs without a filter', async () => {
    const rows = rowsOf('a', 30, () => 'completed');
    const { query, calls } = fakeIndex(rows);
    const page = await listJobs('a', { limit: 20 }, query);
    assert.equal(page.jobs.length, 20);
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.Limit, 20);
    assert.equal(calls[0]?.FilterExpression, undefined);
    const { ids } = await allPages(rows, 'a', { limit: 7 });
    assert.deepEqual(
      ids,
      rows.map((r) => r.job_id),
    );
  });

  it("keeps every Query, and any start key, inside the caller's own jobs", async () => {
    const rows = [...rowsOf('a', 10, () => 'failed'), ...rowsOf('b', 10, () => 'failed')];
    const { query, calls } = fakeIndex(rows);
    const someoneElses = rows.find((r) => r.owner === 'b') as Row;
    const page = await listJobs(
      'a',
      {
        limit: 5,
        status: 'failed',
        after: { created_at: someoneElses.created_at, job_id: someoneElses.job_id },
      },
      query,
    );
    assert.ok(page.jobs.every((j) => j.owner === 'a'));
    for (const call of calls) {
      assert.equal(call.ExpressionAttributeValues?.[':owner'], 'a');
      assert.equal((call.ExclusiveStartKey as { owner?: string } | undefined)?.owner, 'a');
    }
  });

  it('lists changes since an instant oldest first on the updated-at index, resuming by change position', async () => {
    const rows = Array.from({ length: 3 }, (_, i) => ({
      job_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      owner: 'a',
      status: 'completed' as const,
      updated_at: new Date(BASE + i * 1000).toISOString(),
    }));
    const calls: Array<Parameters<QueryJobs>[0]> = [];
    const page = await listJobs('a', { limit: 2, since: rows[0]?.updated_at ?? '' }, async (input) => {
      calls.push(input);
      return { Items: rows.slice(0, input.Limit), LastEvaluatedKey: { owner: 'a' } };
    });
    assert.equal(calls[0]?.IndexName, 'OwnerUpdatedAtIndex');
    assert.equal(calls[0]?.ScanIndexForward, true);
    assert.equal(calls[0]?.KeyConditionExpression, '#o = :owner AND #u >= :since');
    assert.deepEqual(calls[0]?.ExpressionAttributeNames, { '#o': 'owner', '#u': 'updated_at' });
    assert.equal(calls[0]?.ExpressionAttributeValues?.[':since'], rows[0]?.updated_at);
    assert.deepEqual(
      page.jobs.map((j) => j.job_id),
      rows.slice(0, 2).map((r) => r.job_id),
    );

    const filtered = await listJobs(
      'a',
      {
        limit: 1,
        status: 'completed',
        since: BASE_ISO,
        after: { updated_at: rows[0]?.updated_at ?? '', job_id: rows[0]?.job_id ?? '' },
      },
      async (input) => {
        calls.push(input);
        return { Items: rows.slice(1) };
      },
    );
    const last = calls.at(-1);
    assert.deepEqual(last?.ExclusiveStartKey, {
      updated_at: rows[0]?.updated_at,
      job_id: rows[0]?.job_id,
      owner: 'a',
    });
    assert.equal(last?.FilterExpression, '#s = :status');
    // Two matched where one fits: the page ends at the one shown, as a change position.
    assert.deepEqual(filtered.next, { updated_at: rows[1]?.updated_at, job_id: rows[1]?.job_id });
  });

  it('counts active jobs across pages', async () => {
    const answers = [
      { Count: 3, LastEvaluatedKey: { active_owner: 'a' } },
      { Count: 2, LastEvaluatedKey: { active_owner: 'a' } },
      { Count: 1 },
    ];
    const inputs: Array<Parameters<QueryJobs>[0]> = [];
    const count = await countActiveJobs('a', async (input) => {
      inputs.push(input);
      return answers[inputs.length - 1] ?? {};
    });
    assert.equal(count, 6);
    assert.equal(inputs.length, 3);
    assert.ok(inputs.every((i) => i.ExpressionAttributeValues?.[':owner'] === 'a' && i.Select === 'COUNT'));
  });
});
