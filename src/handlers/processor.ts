// First: starts Chromium while the rest of the bundle loads.
import '../renderer/prewarm.ts';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { processLongjobMessage } from '../app/longjob-process.ts';
import { processBatch } from '../queue/batch.ts';

/** SQS-triggered: renders queued long jobs (partial batch failures reported). */
export const handler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  const invocationDeadline = Date.now() + context.getRemainingTimeInMillis();
  return processBatch(event, (message) => processLongjobMessage(message, invocationDeadline));
};
