import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type LongjobMessage, longjobMessageSchema } from '../domain/longjob-message.ts';
import { log } from '../log.ts';

/**
 * Runs `handle` on every record of an SQS batch concurrently and reports the records to retry as
 * batch item failures (ReportBatchItemFailures): one bad record never makes SQS redeliver the good
 * ones. A body that is not a long-job message is logged and, with `malformed: 'retry'`, reported so
 * it ends in the dead-letter queue rather than disappearing; the dead-letter handler drops it.
 */
export const processBatch = async (
  event: SQSEvent,
  handle: (message: LongjobMessage, record: SQSRecord) => Promise<'done' | 'retry'>,
  malformed: 'retry' | 'drop' = 'retry',
): Promise<SQSBatchResponse> => {
  const failures: SQSBatchItemFailure[] = [];
  await Promise.all(
    event.Records.map(async (record) => {
      let message: LongjobMessage;
      try {
        message = longjobMessageSchema.parse(JSON.parse(record.body));
      } catch (err) {
        log.error('not a long-job message', {
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
