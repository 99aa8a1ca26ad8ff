import { z } from 'zod';
import { MAX_QUEUE_MESSAGE_BYTES } from './limits.ts';

/**
 * The SQS message body. The options are in the job row; the HTML is here (`html`) when the message
 * stays within MAX_QUEUE_MESSAGE_BYTES, and in S3 at the row's `input_key` otherwise.
 */
export const longjobMessageSchema = z.object({
  job_id: z.uuid(),
  owner: z.string().min(1),
  html: z.string().min(1).optional(),
});
export type LongjobMessage = z.infer<typeof longjobMessageSchema>;

/**
 * The message body for a new job: with its HTML when the body fits MAX_QUEUE_MESSAGE_BYTES (no S3
 * round trip on either side), without it otherwise, in which case the HTML must be in S3 first.
 */
export const longjobMessageBody = (
  job: Omit<LongjobMessage, 'html'>,
  html: string,
): { body: string; htmlInline: boolean } => {
  const inline = JSON.stringify({ job_id: job.job_id, owner: job.owner, html });
  if (Buffer.byteLength(inline) <= MAX_QUEUE_MESSAGE_BYTES) return { body: inline, htmlInline: true };
  return { body: JSON.stringify({ job_id: job.job_id, owner: job.owner }), htmlInline: false };
};
