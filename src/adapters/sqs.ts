import {
  ChangeMessageVisibilityCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { getConfig } from '../config.ts';

let client: SQSClient | undefined;

export const getSqsClient = (): SQSClient => {
  if (client) return client;
  const config = getConfig();
  client = new SQSClient({
    region: config.AWS_REGION,
    ...(config.SQS_ENDPOINT ? { endpoint: config.SQS_ENDPOINT } : {}),
  });
  return client;
};

/**
 * Sends a job's message (a body from `longjobMessageBody`); `signal` bounds the call so a hung send
 * still leaves time to compensate.
 */
export const enqueueLongjob = async (body: string, signal?: AbortSignal): Promise<void> => {
  await getSqsClient().send(
    new SendMessageCommand({ QueueUrl: getConfig().LONGJOB_QUEUE_URL, MessageBody: body }),
    signal ? { abortSignal: signal } : {},
  );
};

/** Messages waiting plus in flight: the work ahead of a job submitted now. */
export const queueDepth = async (): Promise<number> => {
  const result = await getSqsClient().send(
    new GetQueueAttributesCommand({
      QueueUrl: getConfig().LONGJOB_QUEUE_URL,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  const attributes = result.Attributes ?? {};
  return (
    Number(attributes.ApproximateNumberOfMessages ?? 0) +
    Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
};

/** Queues a webhook delivery (a body from `webhookMessageBody`), sent as soon as a worker takes it. */
export const enqueueWebhook = async (body: string): Promise<void> => {
  await getSqsClient().send(
    new SendMessageCommand({ QueueUrl: getConfig().WEBHOOK_QUEUE_URL, MessageBody: body }),
  );
};

/**
 * Hides a received webhook message for `seconds`: reported as failed afterwards, it comes back then.
 * This is how a retry or a deferral waits in the queue instead of in a function.
 */
export const deferWebhook = async (receiptHandle: string, seconds: number): Promise<void> => {
  await getSqsClient().send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: getConfig().WEBHOOK_QUEUE_URL,
      ReceiptHandle: receiptHandle,
      VisibilityTimeout: seconds,
    }),
  );
};
