import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { handleDeadLetter } from '../app/dead-letter.ts';
import { processBatch } from '../queue/batch.ts';

/** SQS-triggered on the dead-letter queue: fails the jobs SQS gave up on and tells their webhooks. */
export const handler = (event: SQSEvent): Promise<SQSBatchResponse> =>
  processBatch(
    event,
    (message, record) => handleDeadLetter(message, Number(record.attributes.ApproximateReceiveCount)),
    'drop',
  );
