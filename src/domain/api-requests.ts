/**
 * Request schemas of the endpoints other than the job submissions (render-request.ts), apart from the
 * answers' schemas (api-schemas.ts) so a handler's bundle carries only what it validates with.
 */
import * as z from 'zod';
import { JobStatus } from './job.ts';

/** PUT /accounts/me/webhook. */
export const webhookSettingsRequestSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).max(2048),
});

/** GET /jobs's query string. */
export const jobsListQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  status: z.enum(Object.values(JobStatus) as [JobStatus, ...JobStatus[]]).optional(),
  cursor: z.string().min(1).max(2048).optional(),
  /** An ISO 8601 instant (with Z or an offset), compared as the instant `toISOString` writes. */
  since: z.iso
    .datetime({ offset: true, abort: true })
    .refine((text) => !Number.isNaN(Date.parse(text)), 'must be a real instant')
    .transform((text) => new Date(text).toISOString())
    .optional(),
});
