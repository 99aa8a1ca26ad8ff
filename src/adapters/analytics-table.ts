import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { getConfig } from '../config.ts';
import { type AnalyticsEvent, epochSecondsAfterDays } from '../domain/job.ts';
import { getDocumentClient } from './dynamodb.ts';

const ANALYTICS_RETENTION_DAYS = 90;

/** Appends an event row. Sort key `event_key` = `<at>#<type>#<random>` keeps a job's events in order. */
export const recordEvent = async (event: AnalyticsEvent): Promise<void> => {
  const at = event.at ?? new Date().toISOString();
  await getDocumentClient().send(
    new PutCommand({
      TableName: getConfig().ANALYTICS_TABLE,
      Item: {
        job_id: event.job_id,
        event_key: `${at}#${event.type}#${randomUUID().slice(0, 8)}`,
        type: event.type,
        owner: event.owner,
        ...(event.test ? { test: true } : {}),
        at,
        details: event.details ?? {},
        ttl: epochSecondsAfterDays(new Date(at), ANALYTICS_RETENTION_DAYS),
      },
    }),
  );
};
