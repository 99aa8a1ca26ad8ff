import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { getConfig } from '../config.ts';
import { getDocumentClient, isConditionalCheckFailure } from './dynamodb.ts';
import { Expressions } from './expressions.ts';

/**
 * One row per account in the Usage table: `tat` (the rate bucket, see domain/plan.ts), `pdfs_<YYYY-MM>`
 * (PDFs counted in that month) and `active_jobs` (long jobs queued or processing). Every change is a
 * single conditional write, so concurrent requests never lose an update.
 */
export interface UsageRow {
  user_id: string;
  tat?: number;
  active_jobs?: number;
  [month: `pdfs_${string}`]: number | undefined;
}

export type Admission =
  | { admitted: true; tat: number; pdfsUsed: number | undefined }
  | { admitted: false; row: UsageRow | undefined };

const monthAttribute = (period: string) => `pdfs_${period}`;

/**
 * Takes one request from the account's bucket and, with `pdf`, one PDF from its month's quota, in
 * one write: first as if the bucket had fallen idle (`tat` behind now), then as if it were in use.
 * Refused, it answers the row as it is, for the caller to tell which limit was reached.
 */
export const admitRequest = async (
  userId: string,
  limits: {
    now: number;
    intervalMs: number;
    latestAdmittedTat: number;
    pdf?: { period: string; quota: number };
  },
): Promise<Admission> => {
  const attempt = async (idle: boolean) => {
    const x = new Expressions();
    const tat = x.name('tat');
    const conditions = [
      idle
        ? `(attribute_not_exists(${tat}) OR ${tat} < ${x.value(limits.now)})`
        : `${tat} BETWEEN ${x.value(limits.now)} AND ${x.value(limits.latestAdmittedTat)}`,
    ];
    const sets = [
      idle
        ? `${tat} = ${x.value(limits.now + limits.intervalMs)}`
        : `${tat} = ${tat} + ${x.value(limits.intervalMs)}`,
    ];
    if (limits.pdf) {
      const month = x.name(monthAttribute(limits.pdf.period));
      conditions.push(`(attribute_not_exists(${month}) OR ${month} < ${x.value(limits.pdf.quota)})`);
      sets.push(`${month} = if_not_exists(${month}, ${x.value(0)}) + ${x.value(1)}`);
    }
    const result = await getDocumentClient().send(
      new UpdateCommand({
        TableName: getConfig().USAGE_TABLE,
        Key: { user_id: userId },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: conditions.join(' AND '),
        ReturnValues: 'ALL_NEW',
        ...x.attributes(),
      }),
    );
    const row = result.Attributes as UsageRow;
    return {
      admitted: true as const,
      tat: row.tat ?? limits.now,
      pdfsUsed: limits.pdf ? row[`pdfs_${limits.pdf.period}`] : undefined,
    };
  };
  for (const idle of [true, false]) {
    try {
      return await attempt(idle);
    } catch (err) {
      if (!isConditionalCheckFailure(err)) throw err;
    }
  }
  return { admitted: false, row: await getUsage(userId) };
};

export const getUsage = async (userId: string): Promise<UsageRow | undefined> => {
  const result = await getDocumentClient().send(
    new GetCommand({ TableName: getConfig().USAGE_TABLE, Key: { user_id: userId }, ConsistentRead: true }),
  );
  return result.Item as UsageRow | undefined;
};

/** Takes one off `attribute` of the account's row, never below zero. */
const decrement = async (userId: string, attribute: string): Promise<void> => {
  const x = new Expressions();
  const name = x.name(attribute);
  await getDocumentClient()
    .send(
      new UpdateCommand({
        TableName: getConfig().USAGE_TABLE,
        Key: { user_id: userId },
        UpdateExpression: `SET ${name} = ${name} - ${x.value(1)}`,
        ConditionExpression: `${name} > ${x.value(0)}`,
        ...x.attributes(),
      }),
    )
    .catch((err: unknown) => {
      if (!isConditionalCheckFailure(err)) throw err;
    });
};

/** Gives back a PDF counted for a request that was not accepted after all. */
export const refundPdf = (userId: string, period: string): Promise<void> =>
  decrement(userId, monthAttribute(period));

/**
 * Counts one more active long job unless the account has `max` already. `recount` is the true count
 * (the jobs table's active index): a job whose release was lost to a crash is forgotten when the
 * counter is full, so the count can drift only towards refusing later, never towards allowing more.
 */
export const reserveActiveJob = async (
  userId: string,
  max: number,
  recount: () => Promise<number>,
): Promise<boolean> => {
  const write = async (update: (active: string, x: Expressions) => { set: string; condition: string }) => {
    const x = new Expressions();
    const { set, condition } = update(x.name('active_jobs'), x);
    try {
      await getDocumentClient().send(
        new UpdateCommand({
          TableName: getConfig().USAGE_TABLE,
          Key: { user_id: userId },
          UpdateExpression: `SET ${set}`,
          ConditionExpression: condition,
          ...x.attributes(),
        }),
      );
      return true;
    } catch (err) {
      if (!isConditionalCheckFailure(err)) throw err;
      return false;
    }
  };
  const added = await write((active, x) => ({
    set: `${active} = if_not_exists(${active}, ${x.value(0)}) + ${x.value(1)}`,
    condition: `(attribute_not_exists(${active}) OR ${active} < ${x.value(max)})`,
  }));
  if (added) return true;
  const seen = (await getUsage(userId))?.active_jobs ?? 0;
  const actual = await recount();
  if (actual >= max) return false;
  // Compare-and-set from the count seen: a submission racing this one makes it refuse, never overshoot.
  return write((active, x) => ({
    set: `${active} = ${x.value(actual + 1)}`,
    condition: `${active} = ${x.value(seen)}`,
  }));
};

/** One active long job fewer (it completed, failed or was cancelled). */
export const releaseActiveJob = (userId: string): Promise<void> => decrement(userId, 'active_jobs');
