import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type * as z from 'zod';
import { type LongjobMessage, longjobMessageSchema } from '../domain/longjob-message.ts';
import { log } from '../log.ts';

/**
 * Runs `handle` on every record of an SQS batch concurrently and reports the records to retry as
 * batch item failures (ReportBatchItemFailures): one bad record never makes SQS redeliver the good
 * ones. A body that `schema` refuses is logged and, with `malformed: 'retry'`, reported so it ends
 * in the dead-letter queue rather than disappearing; with `'drop'` it is deleted.
 */
export const processRecords = async <T>(
  event: SQSEvent,
  schema: z.ZodType<T>,
  handle: (message: T, record: SQSRecord) => Promise<'done' | 'retry'>,
  malformed: 'retry' | 'drop',
): Promise<SQSBatchResponse> => {
  const failures: SQSBatchItemFailure[] = [];
  await Promise.all(
    event.Records.map(async (record) => {
      let message: T;
      try {
        message = schema.parse(JSON.parse(record.body));
      } catch (err) {
        log.error('not a message this queue carries', {
          messageId: record.messageId,
          body: record.body.slice(0, 500),
          cause: err,
        });
        if (malformed === 'retry') failures.push({ itemIdentifier: record.messageId });
        return;
      }
      try {
        if ((await handle(message, record)) === 'retry') failures.push({ itemIdentifier: record.messageId });
      } catch (err) {
        log.error('queue record failed', { messageId: record.messageId, cause: err });
        failures.push({ itemIdentifier: record.messageId });
      }
    }),
  );
  return { batchItemFailures: failures };
};

/** `processRecords` for the long-job queue and its dead-letter queue. */
export const processBatch = (
  event: SQSEvent,
  handle: (message: LongjobMessage, record: SQSRecord) => Promise<'done' | 'retry'>,
  malformed: 'retry' | 'drop' = 'retry',
): Promise<SQSBatchResponse> => processRecords(event, longjobMessageSchema, handle, malformed);
