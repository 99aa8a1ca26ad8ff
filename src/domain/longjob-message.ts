import * as z from 'zod';
import { MAX_QUEUE_MESSAGE_BYTES } from './limits.ts';
import type { RenderInput } from './render-request.ts';
import { urlSourceSchema } from './url-source.ts';

/**
 * The SQS message body. The options are in the job row; the HTML is here (`html`) when the message
 * stays within MAX_QUEUE_MESSAGE_BYTES, and in S3 at the row's `input_key` otherwise. A URL job's
 * page, headers and cookies are always here (`source`), never in the row.
 */
export const longjobMessageSchema = z.object({
  job_id: z.uuid(),
  owner: z.string().min(1),
  html: z.string().min(1).optional(),
  source: urlSourceSchema.optional(),
});
export type LongjobMessage = z.infer<typeof longjobMessageSchema>;

/**
 * JSON whose text SQS accepts. SQS refuses a message with a character outside #x9, #xA, #xD,
 * #x20-#xD7FF, #xE000-#xFFFD and #x10000-#x10FFFF. JSON.stringify already escapes control
 * characters and lone surrogates; U+FFFE and U+FFFF, which a string may hold, are escaped here.
 */
const sqsSafeJson = (value: unknown): string =>
  JSON.stringify(value).replace(/[\uFFFE\uFFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);

/**
 * The body of a job whose HTML is in S3 (the row's `input_key`): all a processor needs besides the
 * row. The sweeper sends it again, identical, for a job whose first message never went out.
 */
export const storedInputMessageBody = (job: Pick<LongjobMessage, 'job_id' | 'owner'>): string =>
  JSON.stringify({ job_id: job.job_id, owner: job.owner });

/**
 * The message body for a new job: with its HTML when the body fits MAX_QUEUE_MESSAGE_BYTES (no S3
 * round trip on either side), without it otherwise, in which case the HTML must be in S3 first.
 */
export const longjobMessageBody = (
  job: Pick<LongjobMessage, 'job_id' | 'owner'>,
  input: RenderInput,
): { body: string; htmlInline: boolean } => {
  if ('source' in input) {
    return {
      body: sqsSafeJson({ job_id: job.job_id, owner: job.owner, source: input.source }),
      htmlInline: true,
    };
  }
  const { html } = input;
  const inline = sqsSafeJson({ job_id: job.job_id, owner: job.owner, html });
  if (Buffer.byteLength(inline) <= MAX_QUEUE_MESSAGE_BYTES) return { body: inline, htmlInline: true };
  return { body: storedInputMessageBody(job), htmlInline: false };
};
