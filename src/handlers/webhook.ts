import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { ports } from '../app/ports.ts';
import { deliverWebhookMessage } from '../app/webhook-delivery.ts';
import { webhookMessageSchema } from '../domain/webhook.ts';
import { log } from '../log.ts';
import { processRecords } from '../queue/batch.ts';

/**
 * SQS-triggered on the webhook queue: one attempt per message receive. A message to try again later
 * is hidden until then and reported as failed, so SQS hands it back at that time; if hiding it
 * fails, it comes back after the queue's visibility timeout instead.
 */
export const handler = (event: SQSEvent): Promise<SQSBatchResponse> =>
  processRecords(
    event,
    webhookMessageSchema,
    async (message, record) => {
      const step = await deliverWebhookMessage(message, {
        queuedAt: Number(record.attributes.SentTimestamp),
        receives: Number(record.attributes.ApproximateReceiveCount),
      });
      if (step.done) return 'done';
      await ports()
        .queue.deferWebhook(record.receiptHandle, step.retryInS)
        .catch((err: unknown) =>
          log.error('could not defer the webhook message; it returns after its visibility timeout', {
            jobId: message.job_id,
            cause: err,
          }),
        );
      return 'retry';
    },
    'drop',
  );
