import type { JobRecord } from '../domain/job.ts';
import type { RenderInput } from '../domain/render-request.ts';
import { urlSourceSchema } from '../domain/url-source.ts';
import { ports } from './ports.ts';

/** The job's input as submitted, read back from S3; undefined once the bucket's lifecycle deleted it. */
export const storedInput = async (job: JobRecord): Promise<RenderInput | undefined> => {
  // Jobs submitted before every input was kept have no input_key when their HTML fitted the message.
  if (!job.input_key) return undefined;
  const text = await ports().blobs.getInput(job.input_key);
  if (text === undefined) return undefined;
  if (job.mode !== 'url') return { html: text };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const source = urlSourceSchema.safeParse(parsed);
  return source.success ? { source: source.data } : undefined;
};
