import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { lambdaContext } from './lambda-context.ts';

/**
 * Does locally what Lambda's SQS event source mapping does on AWS: long-polls the queue, hands the
 * function batches of real SQS event records, deletes the records that succeeded and leaves the rest
 * to reappear after the visibility timeout (all of them when the function throws or times out). The
 * queue's own RedrivePolicy moves a message to the dead-letter queue after maxReceiveCount receives.
 */

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export interface QueuePollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  functionName: string;
  handler: SqsHandler;
  batchSize: number;
  reportBatchItemFailures: boolean;
  timeoutSeconds: number;
  /** Parallel invocations, like the mapping's scaling (one batch each). @default 4 */
  concurrency?: number;
}

const toRecord = (message: Message, options: QueuePollerOptions): SQSRecord => ({
  messageId: message.MessageId ?? '',
  receiptHandle: message.ReceiptHandle ?? '',
  body: message.Body ?? '',
  attributes: {
    ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1',
    SentTimestamp: message.Attributes?.SentTimestamp ?? String(Date.now()),
    SenderId: message.Attributes?.SenderId ?? 'local',
    ApproximateFirstReceiveTimestamp:
      message.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
  },
  messageAttributes: {},
  md5OfBody: message.MD5OfBody ?? '',
  eventSource: 'aws:sqs',
  eventSourceARN: options.queueArn,
  awsRegion: options.region,
});

/** Invokes the function on one batch; returns the receipt handles to delete. */
const invoke = async (records: SQSRecord[], options: QueuePollerOptions): Promise<string[]> => {
  const timeoutMs = options.timeoutSeconds * 1000;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const result = await Promise.race([
      options.handler(
        { Records: records },
        lambdaContext(options.functionName, Date.now() + timeoutMs, options.region),
      ),
      timedOut,
    ]);
    if (result === 'timeout') return [];
    const failed = new Set(
      options.reportBatchItemFailures ? (result?.batchItemFailures ?? []).map((f) => f.itemIdentifier) : [],
    );
    return records.filter((r) => !failed.has(r.messageId)).map((r) => r.receiptHandle);
  } catch (err) {
    console.error(`[local] ${options.functionName} threw; the batch will be retried`, err);
    return [];
  } finally {
    clearTimeout(timer);
  }
};

/**
 * Deletes the records that succeeded. A delete that fails (the emulator restarting, a stale receipt
 * handle) is logged and left alone: the message reappears after its visibility timeout and the
 * processor, finding its job already terminal, acknowledges it again, as on AWS.
 */
const deleteDone = async (receiptHandles: string[], options: QueuePollerOptions): Promise<void> => {
  try {
    const result = await options.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: options.queueUrl,
        Entries: receiptHandles.map((receiptHandle, i) => ({ Id: String(i), ReceiptHandle: receiptHandle })),
      }),
    );
    for (const failure of result.Failed ?? []) {
      console.error(
        `[local] delete from ${options.queueUrl} refused: ${failure.Code} ${failure.Message ?? ''}`,
      );
    }
  } catch (err) {
    console.error(`[local] delete from ${options.queueUrl} failed; the messages will be received again`, err);
  }
};

const STOP_GRACE_MS = 3_000;

export interface QueuePoller {
  stop(): Promise<void>;
}

export const startQueuePoller = (options: QueuePollerOptions): QueuePoller => {
  const abort = new AbortController();
  const loop = async () => {
    while (!abort.signal.aborted) {
      let messages: Message[] = [];
      try {
        const received = await options.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: options.queueUrl,
            MaxNumberOfMessages: options.batchSize,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['All'],
          }),
          { abortSignal: abort.signal },
        );
        messages = received.Messages ?? [];
      } catch (err) {
        if (abort.signal.aborted) return;
        console.error(`[local] receive from ${options.queueUrl} failed`, err);
        await new Promise((resolve) => setTimeout(resolve, 500));
        continue;
      }
      if (messages.length === 0) continue;
      const done = await invoke(
        messages.map((m) => toRecord(m, options)),
        options,
      );
      if (done.length > 0) await deleteDone(done, options);
    }
  };
  const loops = Array.from({ length: options.concurrency ?? 4 }, () => loop());
  return {
    // Batches in flight get a moment to finish; a long render is not waited for (its message simply
    // stays in the queue, as when a Lambda is stopped).
    stop: async () => {
      abort.abort();
      await Promise.race([
        Promise.allSettled(loops),
        new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS)),
      ]);
    },
  };
};
