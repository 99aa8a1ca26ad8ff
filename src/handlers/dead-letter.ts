import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { handleDeadLetter } from '../app/dead-letter.ts';
import { processBatch } from '../queue/batch.ts';

/** SQS-triggered on the dead-letter queue: fails the jobs SQS gave up on and tells their webhooks. */
export const handler = (event: SQSEvent): Promise<SQSBatchResponse> =>
  processBatch(
    event,
    async (message, record) => {
      await handleDeadLetter(message, Number(record.attributes.ApproximateReceiveCount));
      return 'done';
    },
    'drop',
  );
