import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { startQueuePoller } from '../../../src/local/sqs-poller.ts';

/** Resolves once `done()` holds, checking every 10 ms; rejects after `timeoutMs`. */
const until = async (done: () => boolean, timeoutMs: number, what: string): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

/**
 * An SQS client that hands out `messages` once, then nothing, and answers DeleteMessageBatch with
 * `onDelete` (the emulator cannot be made to reject a delete on demand).
 */
const fakeSqs = (messages: Message[], onDelete: () => Promise<unknown>) => {
  const calls = { receives: 0, deletes: 0 };
  let pending = [...messages];
  const sqs = {
    send: async (command: unknown) => {
      if (command instanceof ReceiveMessageCommand) {
        calls.receives += 1;
        const batch = pending;
        pending = [];
        if (batch.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
        return { Messages: batch };
      }
      if (command instanceof DeleteMessageBatchCommand) {
        calls.deletes += 1;
        return onDelete();
      }
      throw new Error('unexpected command');
    },
  } as unknown as SQSClient;
  return { sqs, calls };
};

const options = (sqs: SQSClient, handled: string[]) => ({
  sqs,
  queueUrl: 'http://127.0.0.1:1/queue/jobs',
  queueArn: 'arn:aws:sqs:us-east-1:000000000000:jobs',
  region: 'us-east-1',
  functionName: 'processor',
  handler: async (event: { Records: Array<{ body: string }> }) => {
    handled.push(...event.Records.map((r) => r.body));
    return { batchItemFailures: [] };
  },
  batchSize: 5,
  reportBatchItemFailures: true,
  timeoutSeconds: 5,
  concurrency: 1,
});

/**
 * Runs a poller over one message whose delete answers with `onDelete`, until the delete was made and
 * two more receives followed it (polling went on); returns the bodies the handler got.
 */
const pollPastDelete = async (onDelete: () => Promise<unknown>): Promise<string[]> => {
  const { sqs, calls } = fakeSqs([{ MessageId: 'm1', ReceiptHandle: 'r1', Body: 'job-1' }], onDelete);
  const handled: string[] = [];
  const poller = startQueuePoller(options(sqs, handled));
  try {
    await until(() => calls.deletes === 1, 2_000, 'the delete');
    const receivesAtDelete = calls.receives;
    await until(() => calls.receives > receivesAtDelete + 1, 2_000, 'polling to go on');
  } finally {
    await poller.stop();
  }
  return handled;
};

describe('local SQS poller', () => {
  it('keeps polling when DeleteMessageBatch is rejected, with no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      assert.deepEqual(await pollPastDelete(() => Promise.reject(new Error('emulator went away'))), [
        'job-1',
      ]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    assert.deepEqual(unhandled, []);
  });

  it('keeps polling when DeleteMessageBatch reports failed entries', async () => {
    const handled = await pollPastDelete(async () => ({
      Successful: [],
      Failed: [{ Id: '0', Code: 'ReceiptHandleIsInvalid', SenderFault: true }],
    }));
    assert.deepEqual(handled, ['job-1']);
  });
});
