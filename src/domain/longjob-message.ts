import { z } from 'zod';

/** The SQS message body: ids only. The HTML is in S3 and the options in the job row. */
export const longjobMessageSchema = z.object({
  job_id: z.uuid(),
  owner: z.string().min(1),
});
export type LongjobMessage = z.infer<typeof longjobMessageSchema>;
